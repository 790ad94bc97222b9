import { describe, expect, test } from "vitest";
import { formatInviteExpiry, inviteEmail } from "@/lib/email/templates/invite";

const input = {
  orgName: "Nomad Labs",
  inviterName: "Ada Lovelace",
  email: "bat@example.com",
  acceptUrl: "https://app.test/invite/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
  expiresAt: Date.UTC(2025, 0, 22, 12, 30),
};

describe("invite email", () => {
  test("names the inviter and the organisation in English", async () => {
    const email = await inviteEmail(input);
    expect(email.subject).toBe("Ada Lovelace invited you to join “Nomad Labs”");
    expect(email.text).toBe(
      [
        "Join Nomad Labs",
        "",
        "Ada Lovelace invited bat@example.com to join the organisation Nomad Labs.",
        "",
        "Accept the invitation: https://app.test/invite/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
        "",
        "The link works once and expires on Wednesday, 22 January 2025 at 12:30 UTC. If you weren't expecting this invitation, you can ignore this email.",
      ].join("\n"),
    );
    expect(email.html).toMatch(/<html [^>]*lang="en"/);
    // The button and the paste-this-link fallback; the text part shows the link once.
    expect(email.html.split(`href="${input.acceptUrl}"`)).toHaveLength(3);
    expect(email.text.split(input.acceptUrl)).toHaveLength(2);
    expect(email.html).toContain("Accept the invitation");
  });

  test("is deterministic, so a retry sends the same bytes", async () => {
    expect(await inviteEmail({ ...input })).toEqual(await inviteEmail({ ...input }));
  });

  test("escapes names in the HTML", async () => {
    const email = await inviteEmail({ ...input, orgName: `<script>alert("x")</script>`, inviterName: "O'Brien & Co" });
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(email.html).toContain("O&#x27;Brien &amp; Co");
    expect(email.subject).toBe(`O'Brien & Co invited you to join “<script>alert("x")</script>”`);
  });

  test("shows the expiry in UTC with plain spaces", () => {
    expect(formatInviteExpiry(Date.UTC(2025, 5, 1, 0, 5))).toBe("Sunday, 1 June 2025 at 00:05 UTC");
  });
});

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
  test("names the inviter and the organisation in English", () => {
    const email = inviteEmail(input);
    expect(email.subject).toBe("Ada Lovelace invited you to join “Nomad Labs”");
    expect(email.text).toBe(
      [
        "Ada Lovelace invited bat@example.com to join the organisation Nomad Labs.",
        "",
        "Accept the invitation: https://app.test/invite/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
        "",
        "The link works once and expires on Wednesday, 22 January 2025 at 12:30 UTC. If you weren't expecting this invitation, you can ignore this email.",
      ].join("\n"),
    );
    expect(email.html).toContain('<html lang="en">');
    expect(email.html).toContain(`href="${input.acceptUrl}"`);
    expect(email.html).toContain("Accept the invitation");
  });

  test("is deterministic, so a retry sends the same bytes", () => {
    expect(inviteEmail({ ...input })).toEqual(inviteEmail({ ...input }));
  });

  test("escapes names in the HTML", () => {
    const email = inviteEmail({ ...input, orgName: `<script>alert("x")</script>`, inviterName: "O'Brien & Co" });
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(email.html).toContain("O&#39;Brien &amp; Co");
  });

  test("shows the expiry in UTC with plain spaces", () => {
    expect(formatInviteExpiry(Date.UTC(2025, 5, 1, 0, 5))).toBe("Sunday, 1 June 2025 at 00:05 UTC");
  });
});

import { describe, expect, it } from "vitest";
import { signInNotificationEmail } from "@/lib/email/templates/sign-in-notification";
import { email, useTestResend } from "@/tests/helpers/local-resend";

// A React Email template, sent with the official SDK: the local inbox keeps both parts as sent and shows both.
describe("local Resend: a rendered template's HTML and text parts", () => {
  const ctx = useTestResend();

  it("stores both parts byte for byte and shows the text part on the email's page", async () => {
    const { client, server } = ctx();
    const rendered = await signInNotificationEmail({
      name: "Бат <b>",
      locale: "mn",
      timeZone: "Asia/Ulaanbaatar",
      signedInAt: Date.UTC(2025, 0, 15, 12, 30),
      ip: "203.0.113.7",
      userAgent: "Firefox",
      appUrl: "https://app.test",
    });
    const captured = ctx().nextEmail();
    const sent = await client().emails.send(email({ to: ["bat@example.com"], ...rendered }));
    expect(sent.error).toBeNull();
    const stored = await captured;
    expect(stored.html).toBe(rendered.html);
    expect(stored.text).toBe(rendered.text);

    const page = await (await fetch(`${server.url}/inbox/${sent.data!.id}`)).text();
    expect(page).toContain("<h2>HTML</h2>");
    expect(page).toMatch(/<iframe[^>]*srcdoc="&lt;!DOCTYPE html/);
    expect(page).toContain("<h2>Text</h2>");
    expect(page).toContain("<pre>Таны бүртгэлд шинэ нэвтрэлт хийгдлээ\n\nСайн байна уу, Бат &lt;b&gt;!");
    expect(page).toContain("IP хаяг: 203.0.113.7");
  });
});

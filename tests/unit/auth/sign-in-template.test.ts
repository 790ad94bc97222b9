import { describe, expect, test } from "vitest";
import { formatSignInTime, signInNotificationEmail, utcOffset } from "@/lib/email/templates/sign-in-notification";

// 2025-01-15 12:30 UTC is 20:30 in Ulaanbaatar (UTC+8, no DST).
const AT = Date.UTC(2025, 0, 15, 12, 30);

const base = {
  name: "Бат",
  locale: "mn" as const,
  timeZone: "Asia/Ulaanbaatar",
  signedInAt: AT,
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 Firefox/128.0",
  appUrl: "https://app.test",
};

describe("formatSignInTime", () => {
  test("Mongolian, in Ulaanbaatar time (UTC+8)", () => {
    expect(formatSignInTime(AT, "Asia/Ulaanbaatar", "mn")).toBe(
      "2025 оны нэгдүгээр сарын 15, лхагва гараг 20:30 (Asia/Ulaanbaatar, UTC+08:00)",
    );
  });

  test("English, in Ulaanbaatar time", () => {
    expect(formatSignInTime(AT, "Asia/Ulaanbaatar", "en")).toBe(
      "Wednesday, 15 January 2025 at 20:30 (Asia/Ulaanbaatar, UTC+08:00)",
    );
  });

  test("the date moves with the zone: 20:30 UTC is already the next day in Ulaanbaatar", () => {
    const lateEvening = Date.UTC(2025, 0, 15, 20, 30);
    expect(formatSignInTime(lateEvening, "Asia/Ulaanbaatar", "en")).toBe(
      "Thursday, 16 January 2025 at 04:30 (Asia/Ulaanbaatar, UTC+08:00)",
    );
    expect(formatSignInTime(lateEvening, "America/New_York", "en")).toBe(
      "Wednesday, 15 January 2025 at 15:30 (America/New_York, UTC-05:00)",
    );
  });

  test("an unknown zone falls back to UTC instead of failing the job", () => {
    expect(formatSignInTime(AT, "Mars/Olympus_Mons", "en")).toBe("Wednesday, 15 January 2025 at 12:30 (UTC, UTC+00:00)");
  });

  test("offsets keep their minutes", () => {
    expect(utcOffset(new Date(AT), "Asia/Kolkata")).toBe("UTC+05:30");
    expect(utcOffset(new Date(AT), "UTC")).toBe("UTC+00:00");
  });
});

describe("sign-in notification email", () => {
  test("Mongolian", async () => {
    const email = await signInNotificationEmail(base);
    expect(email.subject).toBe("Таны бүртгэлд шинэ нэвтрэлт хийгдлээ");
    expect(email.text).toBe(
      [
        "Таны бүртгэлд шинэ нэвтрэлт хийгдлээ",
        "",
        "Сайн байна уу, Бат!",
        "",
        "Таны бүртгэлд дараах нэвтрэлт хийгдлээ:",
        "",
        "Огноо, цаг: 2025 оны нэгдүгээр сарын 15, лхагва гараг 20:30 (Asia/Ulaanbaatar, UTC+08:00)",
        "IP хаяг: 203.0.113.7",
        "Төхөөрөмж: Mozilla/5.0 Firefox/128.0",
        "",
        "Хэрэв энэ та өөрөө байсан бол өөр юу ч хийх шаардлагагүй.",
        "",
        "Хэрэв та биш бол нууц үгээ яаралтай солино уу.",
        "",
        "Бүртгэлээ шалгах: https://app.test/account",
        "",
        "Таны бүртгэлийн аюулгүй байдлыг хангах үүднээс нэвтрэлт бүрийн дараа энэ мэдэгдлийг илгээдэг.",
      ].join("\n"),
    );
    expect(email.html).toMatch(/<html [^>]*lang="mn"/);
    expect(email.html).toMatch(/<body [^>]*lang="mn"/);
    expect(email.html).toContain("<title>Таны бүртгэлд шинэ нэвтрэлт хийгдлээ</title>");
    expect(email.html).toContain('href="https://app.test/account"');
    expect(email.html).not.toMatch(/Hi Ada|We noticed/);
  });

  test("English", async () => {
    const email = await signInNotificationEmail({ ...base, name: "Ada", locale: "en" });
    expect(email.subject).toBe("New sign-in to your account");
    expect(email.text).toBe(
      [
        "New sign-in to your account",
        "",
        "Hi Ada,",
        "",
        "We noticed a new sign-in to your account:",
        "",
        "When: Wednesday, 15 January 2025 at 20:30 (Asia/Ulaanbaatar, UTC+08:00)",
        "IP address: 203.0.113.7",
        "Device: Mozilla/5.0 Firefox/128.0",
        "",
        "If this was you, there's nothing else to do.",
        "",
        "If it wasn't you, change your password right away.",
        "",
        "Review your account: https://app.test/account",
        "",
        "We send this email after every sign-in to keep your account safe.",
      ].join("\n"),
    );
    expect(email.html).toMatch(/<html [^>]*lang="en"/);
    expect(email.html).toContain("<title>New sign-in to your account</title>");
    expect(email.html).not.toMatch(/[А-Яа-яӨөҮү]/);
  });

  test("unknown IP and device are said so, in the user's language", async () => {
    expect((await signInNotificationEmail({ ...base, ip: null, userAgent: null })).text).toContain(
      "IP хаяг: тодорхойгүй\nТөхөөрөмж: тодорхойгүй",
    );
    expect((await signInNotificationEmail({ ...base, locale: "en", ip: null })).text).toContain("IP address: unknown");
  });

  test("the user agent is escaped in HTML (it is attacker-controlled)", async () => {
    const email = await signInNotificationEmail({ ...base, userAgent: `<img src=x onerror="alert(1)">` });
    expect(email.html).not.toContain("<img");
    expect(email.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(email.text).toContain(`Төхөөрөмж: <img src=x onerror="alert(1)">`);
  });

  test("is deterministic for a given input", async () => {
    expect(await signInNotificationEmail({ ...base })).toEqual(await signInNotificationEmail({ ...base }));
  });
});

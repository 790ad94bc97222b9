import { isTimeZone } from "../../events/time";
import type { Locale } from "../../users/store";
import { escapeHtml, layout, type RenderedEmail } from "./html";

export interface SignInNotificationInput {
  name: string;
  locale: Locale;
  /** IANA zone the time is shown in; an unknown zone falls back to UTC. */
  timeZone: string;
  /** Unix epoch ms of the sign-in. */
  signedInAt: number;
  ip: string | null;
  userAgent: string | null;
  appUrl: string;
}

const INTL_LOCALE: Record<Locale, string> = { en: "en-GB", mn: "mn-MN" };

/**
 * The sign-in time in the user's zone and language, with the zone and its UTC
 * offset spelled out, e.g. "Wednesday, 15 January 2025 at 20:30 (Asia/Ulaanbaatar, UTC+08:00)".
 * Explicit fields and a 23-hour clock (not `dateStyle`) keep the output fixed for
 * a given input; ICU's narrow/no-break spaces are normalised to plain spaces.
 */
export function formatSignInTime(atMs: number, timeZone: string, locale: Locale): string {
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  const date = new Date(atMs);
  const local = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: zone,
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
  return `${local.replace(/[\u00a0\u202f]/g, " ")} (${zone}, ${utcOffset(date, zone)})`;
}

/** "UTC+08:00", "UTC-05:00", "UTC+00:00". */
export function utcOffset(date: Date, timeZone: string): string {
  const name =
    new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(date)
      .find((part) => part.type === "timeZoneName")?.value ?? "GMT";
  const offset = name.replace(/^GMT/, "").replace("\u2212", "-");
  return `UTC${offset === "" ? "+00:00" : offset}`;
}

interface Copy {
  subject: string;
  greeting: (name: string) => string;
  intro: string;
  when: string;
  ip: string;
  device: string;
  unknown: string;
  ifYou: string;
  ifNotYou: string;
  account: string;
  footer: string;
}

const COPY: Record<Locale, Copy> = {
  en: {
    subject: "New sign-in to your account",
    greeting: (name) => `Hi ${name},`,
    intro: "We noticed a new sign-in to your account:",
    when: "When",
    ip: "IP address",
    device: "Device",
    unknown: "unknown",
    ifYou: "If this was you, there's nothing else to do.",
    ifNotYou: "If it wasn't you, change your password right away.",
    account: "Review your account",
    footer: "We send this email after every sign-in to keep your account safe.",
  },
  mn: {
    subject: "Таны бүртгэлд шинэ нэвтрэлт хийгдлээ",
    greeting: (name) => `Сайн байна уу, ${name}!`,
    intro: "Таны бүртгэлд дараах нэвтрэлт хийгдлээ:",
    when: "Огноо, цаг",
    ip: "IP хаяг",
    device: "Төхөөрөмж",
    unknown: "тодорхойгүй",
    ifYou: "Хэрэв энэ та өөрөө байсан бол өөр юу ч хийх шаардлагагүй.",
    ifNotYou: "Хэрэв та биш бол нууц үгээ яаралтай солино уу.",
    account: "Бүртгэлээ шалгах",
    footer: "Таны бүртгэлийн аюулгүй байдлыг хангах үүднээс нэвтрэлт бүрийн дараа энэ мэдэгдлийг илгээдэг.",
  },
};

/** Pure: a retry renders the same bytes, so Resend accepts it under the same idempotency key. */
export function signInNotificationEmail(input: SignInNotificationInput): RenderedEmail {
  const copy = COPY[input.locale] ?? COPY.en;
  const when = formatSignInTime(input.signedInAt, input.timeZone, input.locale);
  const accountUrl = `${input.appUrl}/account`;
  const rows: Array<[string, string]> = [
    [copy.when, when],
    [copy.ip, input.ip ?? copy.unknown],
    [copy.device, input.userAgent ?? copy.unknown],
  ];
  const html = layout({
    lang: input.locale,
    title: copy.subject,
    bodyHtml: `<h1 style="font-size:22px">${escapeHtml(copy.subject)}</h1>
<p>${escapeHtml(copy.greeting(input.name))}</p>
<p>${escapeHtml(copy.intro)}</p>
<table style="border-collapse:collapse;margin:16px 0">${rows
      .map(
        ([label, value]) =>
          `<tr><th style="text-align:left;padding:4px 16px 4px 0;vertical-align:top">${escapeHtml(label)}</th><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
      )
      .join("")}</table>
<p>${escapeHtml(copy.ifYou)}</p>
<p><strong>${escapeHtml(copy.ifNotYou)}</strong></p>
<p><a href="${escapeHtml(accountUrl)}">${escapeHtml(copy.account)}</a></p>
<p style="color:#555;font-size:14px">${escapeHtml(copy.footer)}</p>`,
  });
  const text = [
    copy.greeting(input.name),
    "",
    copy.intro,
    ...rows.map(([label, value]) => `  ${label}: ${value}`),
    "",
    copy.ifYou,
    copy.ifNotYou,
    "",
    `${copy.account}: ${accountUrl}`,
    "",
    copy.footer,
  ].join("\n");
  return { subject: copy.subject, html, text };
}

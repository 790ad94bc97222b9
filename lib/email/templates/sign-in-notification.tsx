import { isTimeZone } from "../../events/time";
import type { Locale } from "../../users/store";
import { ActionButton, Details, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

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

export function SignInNotificationEmail(input: SignInNotificationInput) {
  const copy = COPY[input.locale] ?? COPY.en;
  const accountUrl = `${input.appUrl}/account`;
  const rows: Array<[string, string]> = [
    [copy.when, formatSignInTime(input.signedInAt, input.timeZone, input.locale)],
    [copy.ip, input.ip ?? copy.unknown],
    [copy.device, input.userAgent ?? copy.unknown],
  ];
  return (
    <EmailLayout lang={input.locale} title={copy.subject} preview={copy.intro}>
      <Title>{copy.subject}</Title>
      <Paragraph>{copy.greeting(input.name)}</Paragraph>
      <Paragraph>{copy.intro}</Paragraph>
      <Details rows={rows} />
      <Paragraph>{copy.ifYou}</Paragraph>
      <Paragraph>
        <strong>{copy.ifNotYou}</strong>
      </Paragraph>
      <ActionButton href={accountUrl}>{copy.account}</ActionButton>
      <FinePrint>{copy.footer}</FinePrint>
    </EmailLayout>
  );
}

SignInNotificationEmail.PreviewProps = {
  name: "Бат",
  locale: "mn",
  timeZone: "Asia/Ulaanbaatar",
  signedInAt: Date.UTC(2025, 0, 15, 12, 30),
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  appUrl: "http://localhost:3000",
} satisfies SignInNotificationInput;

export default SignInNotificationEmail;

/** Pure: a retry renders the same bytes, so Resend accepts it under the same idempotency key. */
export function signInNotificationEmail(input: SignInNotificationInput): Promise<RenderedEmail> {
  const copy = COPY[input.locale] ?? COPY.en;
  return renderEmail(copy.subject, <SignInNotificationEmail {...input} />);
}

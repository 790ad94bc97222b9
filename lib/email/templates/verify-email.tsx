import { Link } from "react-email";
import { longDateTimeFormat } from "../../events/time";
import { ActionButton, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export type VerifyEmailInput =
  /** A new (or still unverified) account: the link that proves the address. */
  | { kind: "verify"; name: string; verifyUrl: string; expiresAt: number }
  /**
   * Someone signed up with an address that already has a verified account.
   * The sign-up page answers the same either way (so it reveals nothing);
   * the owner hears about it here instead.
   */
  | { kind: "exists"; signInUrl: string };

const expiryFormat = longDateTimeFormat("UTC");
const formatExpiry = (expiresAt: number) => `${expiryFormat.format(new Date(expiresAt)).replace(/[\u00a0\u202f]/g, " ")} UTC`;

export const VERIFY_SUBJECT = "Confirm your email address";
export const EXISTS_SUBJECT = "Someone tried to sign up with your email address";

export function VerifyEmail(input: VerifyEmailInput) {
  if (input.kind === "exists") {
    return (
      <EmailLayout lang="en" title={EXISTS_SUBJECT} preview="Your address already has an account; nothing was created.">
        <Title>You already have an account</Title>
        <Paragraph>
          Someone (maybe you) just tried to create an account with this address. It already has one, so nothing was created.
        </Paragraph>
        <Paragraph>
          If it was you, <Link href={input.signInUrl}>sign in here</Link>. If it wasn't, you can ignore this email: nobody can use
          your account without your password.
        </Paragraph>
      </EmailLayout>
    );
  }
  const expires = formatExpiry(input.expiresAt);
  return (
    <EmailLayout lang="en" title={VERIFY_SUBJECT} preview={`Confirm your address; the link expires on ${expires}.`}>
      <Title>Confirm your email address</Title>
      <Paragraph>Hi {input.name}, please confirm that this is your address.</Paragraph>
      <ActionButton href={input.verifyUrl}>Confirm my address</ActionButton>
      <FinePrint>The link works once and expires on {expires}. If you didn't create an account, ignore this email.</FinePrint>
    </EmailLayout>
  );
}

VerifyEmail.PreviewProps = {
  kind: "verify",
  name: "Ada Lovelace",
  verifyUrl: "http://localhost:3000/verify-email/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  expiresAt: Date.UTC(2026, 0, 22, 12, 30),
} satisfies VerifyEmailInput;

export default VerifyEmail;

/** Pure: the same payload renders the same bytes, so a retry under the same Resend idempotency key is accepted. */
export function verifyEmail(input: VerifyEmailInput): Promise<RenderedEmail> {
  return renderEmail(input.kind === "exists" ? EXISTS_SUBJECT : VERIFY_SUBJECT, <VerifyEmail {...input} />);
}

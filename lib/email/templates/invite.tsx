import { Link } from "react-email";
import { longDateTimeFormat } from "../../events/time";
import { subjectText } from "../subject-text";
import { ActionButton, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface InviteEmailInput {
  orgName: string;
  inviterName: string;
  /** The invited address (shown so a forwarded email explains itself). */
  email: string;
  /** The link with the token; opens /invite/<token>. */
  acceptUrl: string;
  /** Unix epoch ms when the link stops working. */
  expiresAt: number;
}

/** Invitees may have no account (and so no time zone yet): expiry is shown in UTC. */
const expiryFormat = longDateTimeFormat("UTC");

/** e.g. "Wednesday, 22 January 2025 at 12:30 UTC". Non-breaking spaces from ICU become plain ones. */
export function formatInviteExpiry(expiresAt: number): string {
  return `${expiryFormat.format(new Date(expiresAt)).replace(/[\u00a0\u202f]/g, " ")} UTC`;
}

function inviteSubject(input: Pick<InviteEmailInput, "inviterName" | "orgName">): string {
  // Names are chosen by the inviter and go out under our sender: quoted, defanged and short in the subject.
  return `${subjectText(input.inviterName, 40)} invited you to join “${subjectText(input.orgName, 50)}”`;
}

export function InviteEmail(input: InviteEmailInput) {
  const expires = formatInviteExpiry(input.expiresAt);
  return (
    <EmailLayout lang="en" title={inviteSubject(input)} preview={`Join ${input.orgName}: the link expires on ${expires}.`}>
      <Title>Join {input.orgName}</Title>
      <Paragraph>
        {input.inviterName} invited <strong>{input.email}</strong> to join the organisation <strong>{input.orgName}</strong>.
      </Paragraph>
      <ActionButton href={input.acceptUrl}>Accept the invitation</ActionButton>
      {/* The button already carries the link in the text part. */}
      <Paragraph htmlOnly>
        Or paste this link into your browser:
        <br />
        <Link href={input.acceptUrl}>{input.acceptUrl}</Link>
      </Paragraph>
      <FinePrint>
        The link works once and expires on {expires}. If you weren&apos;t expecting this invitation, you can ignore this email.
      </FinePrint>
    </EmailLayout>
  );
}

InviteEmail.PreviewProps = {
  orgName: "Nomad Labs",
  inviterName: "Ada Lovelace",
  email: "bat@example.com",
  acceptUrl: "http://localhost:3000/invite/preview-token",
  expiresAt: Date.UTC(2025, 0, 22, 12, 30),
} satisfies InviteEmailInput;

export default InviteEmail;

/** Pure: the same payload renders the same bytes, so a retry under the same Resend idempotency key is accepted. */
export function inviteEmail(input: InviteEmailInput): Promise<RenderedEmail> {
  return renderEmail(inviteSubject(input), <InviteEmail {...input} />);
}

import { Link } from "react-email";
import { formatInZone } from "../../events/time";
import { EmailLayout, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface ReminderEmailInput {
  name: string;
  title: string;
  /** Unix epoch ms. */
  startsAt: number;
  /** The reader's IANA zone, e.g. Asia/Ulaanbaatar. */
  timeZone: string;
  appUrl: string;
}

function reminderSubject(title: string): string {
  return `Reminder: ${title} starts in 1 hour`;
}

export function ReminderEmail(input: ReminderEmailInput) {
  const when = formatInZone(input.startsAt, input.timeZone);
  const eventsUrl = `${input.appUrl}/events`;
  return (
    <EmailLayout lang="en" title={reminderSubject(input.title)} preview={`${input.title} starts ${when}.`}>
      <Title>{input.title}</Title>
      <Paragraph>
        Hi {input.name}, this is your reminder: <strong>{input.title}</strong> starts {when}.
      </Paragraph>
      <Paragraph>
        See your events: <Link href={eventsUrl}>{eventsUrl}</Link>
      </Paragraph>
    </EmailLayout>
  );
}

ReminderEmail.PreviewProps = {
  name: "Ada",
  title: "Quarterly review",
  startsAt: Date.UTC(2026, 0, 15, 12, 0),
  timeZone: "Asia/Ulaanbaatar",
  appUrl: "http://localhost:3000",
} satisfies ReminderEmailInput;

export default ReminderEmail;

/** Pure: "starts in an hour" email for a calendar event. */
export function reminderEmail(input: ReminderEmailInput): Promise<RenderedEmail> {
  return renderEmail(reminderSubject(input.title), <ReminderEmail {...input} />);
}

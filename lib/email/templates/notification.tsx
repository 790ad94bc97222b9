import { Link } from "react-email";
import { ActionButton, EmailLayout, FinePrint, Lines, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface NotificationEmailInput {
  name: string;
  title: string;
  body: string;
  /** Absolute URL, if the notification links somewhere. */
  url?: string;
  appUrl: string;
}

export function NotificationEmail(input: NotificationEmailInput) {
  const inbox = `${input.appUrl}/notifications`;
  return (
    <EmailLayout lang="en" title={input.title} preview={input.body.slice(0, 150)}>
      <Title>{input.title}</Title>
      <Paragraph>Hi {input.name},</Paragraph>
      <Lines text={input.body} />
      {input.url && <ActionButton href={input.url}>Open</ActionButton>}
      <FinePrint>
        All your notifications: <Link href={inbox}>{inbox}</Link>
      </FinePrint>
    </EmailLayout>
  );
}

NotificationEmail.PreviewProps = {
  name: "Ada",
  title: "Your export is ready",
  body: "The CSV export you asked for is ready.\nIt stays available for 7 days.",
  url: "http://localhost:3000/reports/rep_1",
  appUrl: "http://localhost:3000",
} satisfies NotificationEmailInput;

export default NotificationEmail;

/** Pure: the email twin of an in-app notification. */
export function notificationEmail(input: NotificationEmailInput): Promise<RenderedEmail> {
  return renderEmail(input.title, <NotificationEmail {...input} />);
}

import { Link } from "react-email";
import { EmailLayout, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface WelcomeEmailInput {
  name: string;
  appUrl: string;
}

export function WelcomeEmail({ name, appUrl }: WelcomeEmailInput) {
  const greeting = `Welcome, ${name}!`;
  return (
    <EmailLayout lang="en" title={greeting} preview="Your account is ready.">
      <Title>{greeting}</Title>
      <Paragraph>
        Your account is ready. Sign in any time at <Link href={appUrl}>{appUrl}</Link>.
      </Paragraph>
    </EmailLayout>
  );
}

WelcomeEmail.PreviewProps = { name: "Ada Lovelace", appUrl: "http://localhost:3000" } satisfies WelcomeEmailInput;

export default WelcomeEmail;

/** Pure: the same input always renders the same bytes, so a retry reuses Resend's idempotency key safely. */
export function welcomeEmail(input: WelcomeEmailInput): Promise<RenderedEmail> {
  return renderEmail(`Welcome, ${input.name}!`, <WelcomeEmail {...input} />);
}

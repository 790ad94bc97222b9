import { ActionButton, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface ReportReadyInput {
  name: string;
  orgName: string;
  periodDays: number;
  reportUrl: string;
}

function reportSubject(orgName: string): string {
  return `Your ${orgName} report is ready`;
}

export function ReportReadyEmail(input: ReportReadyInput) {
  const subject = reportSubject(input.orgName);
  return (
    <EmailLayout lang="en" title={subject} preview={`The delivery report for the last ${input.periodDays} days.`}>
      <Title>{subject}</Title>
      <Paragraph>
        Hi {input.name}, the delivery report for <strong>{input.orgName}</strong> covering the last {input.periodDays} days is
        ready.
      </Paragraph>
      <ActionButton href={input.reportUrl}>View the report</ActionButton>
      <FinePrint>The link works for members of {input.orgName} for 30 days.</FinePrint>
    </EmailLayout>
  );
}

ReportReadyEmail.PreviewProps = {
  name: "Ada",
  orgName: "Nomad Labs",
  periodDays: 7,
  reportUrl: "http://localhost:3000/reports/rep_1",
} satisfies ReportReadyInput;

export default ReportReadyEmail;

/** Pure: "your report is ready" with the link to it. */
export function reportReadyEmail(input: ReportReadyInput): Promise<RenderedEmail> {
  return renderEmail(reportSubject(input.orgName), <ReportReadyEmail {...input} />);
}

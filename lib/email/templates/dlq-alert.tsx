import { Link, Text } from "react-email";
import { Code, Details, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

/** What the alert needs to know about a message QStash gave up on. */
export interface DlqAlertInput {
  jobName: string;
  messageId: string;
  /** Empty when QStash did not report one. */
  dlqId: string;
  /** Destination's last HTTP status. */
  status: number;
  /** Destination's last answer, decoded. */
  reason: string;
  /** The job payload, decoded, or the raw text. */
  payload: unknown;
  retried: number;
  appUrl: string;
}

/** Longest payload excerpt in the alert: enough to recognise the job, not a data dump. */
export const PAYLOAD_EXCERPT_LIMIT = 1000;

export function payloadExcerpt(payload: unknown): string {
  const text = typeof payload === "string" ? payload : (JSON.stringify(payload, null, 2) ?? String(payload));
  if (text === "") return "(empty)";
  return text.length > PAYLOAD_EXCERPT_LIMIT ? `${text.slice(0, PAYLOAD_EXCERPT_LIMIT)}\n… (truncated)` : text;
}

function alertSubject(jobName: string): string {
  return `Job ${jobName} failed and is in the dead-letter queue`;
}

export function DlqAlertEmail(input: DlqAlertInput) {
  const adminLink = `${input.appUrl}/admin${input.dlqId ? `?dlq=${encodeURIComponent(input.dlqId)}` : ""}`;
  const attempts = input.retried + 1;
  const replay = input.dlqId ? `npm run dlq -- retry ${input.dlqId}` : `npm run dlq -- list --job ${input.jobName}`;
  const rows: Array<[string, string]> = [
    ["Job", input.jobName],
    ["Message id", input.messageId],
    ["DLQ id", input.dlqId || "(not reported)"],
    ["Last answer", `HTTP ${input.status} after ${attempts} attempt${attempts === 1 ? "" : "s"}`],
    ["Reason", input.reason],
  ];
  return (
    <EmailLayout lang="en" title={alertSubject(input.jobName)} preview={`HTTP ${input.status}: ${input.reason}`.slice(0, 150)}>
      <Title>{alertSubject(input.jobName)}</Title>
      <Paragraph>
        The <strong>{input.jobName}</strong> job failed for good and QStash moved it to the dead-letter queue.
      </Paragraph>
      <Details rows={rows} />
      <Paragraph style={{ marginBottom: "4px" }}>
        <strong>Payload:</strong>
      </Paragraph>
      <pre
        style={{
          whiteSpace: "pre-wrap",
          wordBreak: "break-word",
          backgroundColor: "#f3f4f6",
          padding: "8px",
          borderRadius: "6px",
          fontSize: "13px",
          margin: "0 0 16px",
        }}
      >
        {payloadExcerpt(input.payload)}
      </pre>
      <Text style={{ fontSize: "16px", lineHeight: "24px" }}>
        Inspect and replay it: <Link href={adminLink}>{adminLink}</Link>
        <br />
        or from a terminal: <Code>{replay}</Code>
      </Text>
      <FinePrint>You get one email per failed message.</FinePrint>
    </EmailLayout>
  );
}

DlqAlertEmail.PreviewProps = {
  jobName: "welcome-email",
  messageId: "msg_26hZCxZCuWyyTWPmSVBrNC1RADwpgWxPcak2rQ",
  dlqId: "1712345678901-0",
  status: 422,
  reason: "Resend 422 validation_error: Invalid `to` field.",
  payload: { userId: "usr_1", email: "not-an-address", name: "Ada" },
  retried: 3,
  appUrl: "http://localhost:3000",
} satisfies DlqAlertInput;

export default DlqAlertEmail;

/** Pure: the email an operator gets when a job lands in the DLQ. */
export function dlqAlertEmail(input: DlqAlertInput): Promise<RenderedEmail> {
  return renderEmail(alertSubject(input.jobName), <DlqAlertEmail {...input} />);
}

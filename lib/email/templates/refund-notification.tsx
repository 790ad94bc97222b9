import { formatInZone } from "../../events/time";
import { formatMoney } from "../../payments/money";
import { EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface RefundNotificationInput {
  name?: string;
  refundId: string;
  purchaseId: string;
  /** Minor units (cents). */
  amountCents: number;
  currency: string;
  reason?: string;
  /** Unix epoch ms. */
  refundedAt: number;
}

function refundSubject(input: Pick<RefundNotificationInput, "amountCents" | "currency">): string {
  return `Your refund of ${formatMoney(input.amountCents, input.currency)} is on its way`;
}

export function RefundNotificationEmail(input: RefundNotificationInput) {
  const amount = formatMoney(input.amountCents, input.currency);
  const when = formatInZone(input.refundedAt, "UTC");
  return (
    <EmailLayout lang="en" title={refundSubject(input)} preview={`We refunded ${amount} for order ${input.purchaseId}.`}>
      <Title>Refund issued</Title>
      <Paragraph>{input.name ? `Hi ${input.name},` : "Hi,"}</Paragraph>
      <Paragraph>
        We refunded <strong>{amount}</strong> for order {input.purchaseId} on {when}.
      </Paragraph>
      {input.reason && <Paragraph>Reason: {input.reason}</Paragraph>}
      <Paragraph>Refunds usually reach your account within 5–10 business days, depending on your bank.</Paragraph>
      <FinePrint>Refund reference {input.refundId}.</FinePrint>
    </EmailLayout>
  );
}

RefundNotificationEmail.PreviewProps = {
  name: "Ada",
  refundId: "ref_1",
  purchaseId: "pur_123",
  amountCents: 3456,
  currency: "USD",
  reason: "Duplicate charge",
  refundedAt: Date.UTC(2026, 0, 16, 10, 0),
} satisfies RefundNotificationInput;

export default RefundNotificationEmail;

/** Pure, like every template: deterministic from its input. */
export function refundNotificationEmail(input: RefundNotificationInput): Promise<RenderedEmail> {
  return renderEmail(refundSubject(input), <RefundNotificationEmail {...input} />);
}

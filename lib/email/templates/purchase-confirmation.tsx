import { Link } from "react-email";
import { formatInZone } from "../../events/time";
import { formatMoney } from "../../payments/money";
import { AmountTable, EmailLayout, FinePrint, Paragraph, Title } from "./layout";
import { renderEmail, type RenderedEmail } from "./render";

export interface PurchaseConfirmationInput {
  name?: string;
  purchaseId: string;
  /** Minor units (cents). */
  amountCents: number;
  currency: string;
  items: ReadonlyArray<{ description: string; quantity: number; amountCents: number }>;
  /** Unix epoch ms. */
  purchasedAt: number;
  appUrl: string;
}

function receiptSubject(purchaseId: string): string {
  return `Your receipt for order ${purchaseId}`;
}

export function PurchaseConfirmationEmail(input: PurchaseConfirmationInput) {
  const total = formatMoney(input.amountCents, input.currency);
  const when = formatInZone(input.purchasedAt, "UTC");
  const accountUrl = `${input.appUrl}/account/emails`;
  const lines = input.items.map((item) => ({
    label: `${item.description} × ${item.quantity}`,
    amount: formatMoney(item.amountCents, input.currency),
  }));
  return (
    <EmailLayout lang="en" title={receiptSubject(input.purchaseId)} preview={`We received your payment of ${total}.`}>
      <Title>Thanks for your purchase</Title>
      <Paragraph>{input.name ? `Hi ${input.name},` : "Hi,"}</Paragraph>
      <Paragraph>
        We received your payment of <strong>{total}</strong> on {when}.
      </Paragraph>
      <AmountTable lines={lines} total={{ label: "Total", amount: total }} />
      <FinePrint>
        Order {input.purchaseId}. Every email we send you is listed at <Link href={accountUrl}>{accountUrl}</Link>.
      </FinePrint>
    </EmailLayout>
  );
}

PurchaseConfirmationEmail.PreviewProps = {
  name: "Ada",
  purchaseId: "pur_123",
  amountCents: 123456,
  currency: "USD",
  items: [
    { description: "Team plan, yearly", quantity: 1, amountCents: 120000 },
    { description: "Extra seat", quantity: 2, amountCents: 3456 },
  ],
  purchasedAt: Date.UTC(2026, 0, 15, 9, 5),
  appUrl: "http://localhost:3000",
} satisfies PurchaseConfirmationInput;

export default PurchaseConfirmationEmail;

/** Pure: the same purchase always renders the same bytes, so a retry reuses Resend's idempotency key safely. */
export function purchaseConfirmationEmail(input: PurchaseConfirmationInput): Promise<RenderedEmail> {
  return renderEmail(receiptSubject(input.purchaseId), <PurchaseConfirmationEmail {...input} />);
}

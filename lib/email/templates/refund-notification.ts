import { formatInZone } from "../../events/time";
import { formatMoney } from "../../payments/money";
import { escapeHtml, layout, type RenderedEmail } from "./html";

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

/** Pure, like every template: deterministic from its input. */
export function refundNotificationEmail(input: RefundNotificationInput): RenderedEmail {
  const amount = formatMoney(input.amountCents, input.currency);
  const when = formatInZone(input.refundedAt, "UTC");
  const greeting = input.name ? `Hi ${input.name},` : "Hi,";
  const subject = `Your refund of ${amount} is on its way`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:22px">Refund issued</h1>
<p>${escapeHtml(greeting)}</p>
<p>We refunded <strong>${escapeHtml(amount)}</strong> for order ${escapeHtml(input.purchaseId)} on ${escapeHtml(when)}.</p>
${input.reason ? `<p>Reason: ${escapeHtml(input.reason)}</p>` : ""}
<p>Refunds usually reach your account within 5–10 business days, depending on your bank.</p>
<p style="color:#666">Refund reference ${escapeHtml(input.refundId)}.</p>`,
  });
  const text = [
    greeting,
    "",
    `We refunded ${amount} for order ${input.purchaseId} on ${when}.`,
    ...(input.reason ? [`Reason: ${input.reason}`] : []),
    "",
    "Refunds usually reach your account within 5–10 business days, depending on your bank.",
    "",
    `Refund reference ${input.refundId}.`,
  ].join("\n");
  return { subject, html, text };
}

import { formatInZone } from "../../events/time";
import { formatMoney } from "../../payments/money";
import { escapeHtml, layout, type RenderedEmail } from "./html";

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

/** Pure: the same purchase always renders the same bytes, so a retry reuses Resend's idempotency key safely. */
export function purchaseConfirmationEmail(input: PurchaseConfirmationInput): RenderedEmail {
  const total = formatMoney(input.amountCents, input.currency);
  const when = formatInZone(input.purchasedAt, "UTC");
  const greeting = input.name ? `Hi ${input.name},` : "Hi,";
  const subject = `Your receipt for order ${input.purchaseId}`;
  const lines = input.items.map((item) => ({
    description: item.description,
    quantity: item.quantity,
    amount: formatMoney(item.amountCents, input.currency),
  }));
  const rows = lines
    .map(
      (line) =>
        `<tr><td style="padding:4px 0">${escapeHtml(line.description)} × ${line.quantity}</td><td style="padding:4px 0;text-align:right">${escapeHtml(line.amount)}</td></tr>`,
    )
    .join("");
  const accountUrl = `${input.appUrl}/account/emails`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:22px">Thanks for your purchase</h1>
<p>${escapeHtml(greeting)}</p>
<p>We received your payment of <strong>${escapeHtml(total)}</strong> on ${escapeHtml(when)}.</p>
<table style="width:100%;border-collapse:collapse">${rows}<tr><td style="padding:8px 0;border-top:1px solid #e3e5e8"><strong>Total</strong></td><td style="padding:8px 0;border-top:1px solid #e3e5e8;text-align:right"><strong>${escapeHtml(total)}</strong></td></tr></table>
<p style="color:#666">Order ${escapeHtml(input.purchaseId)}. Every email we send you is listed at <a href="${escapeHtml(accountUrl)}">${escapeHtml(accountUrl)}</a>.</p>`,
  });
  const text = [
    greeting,
    "",
    `We received your payment of ${total} on ${when}.`,
    "",
    ...lines.map((line) => `- ${line.description} × ${line.quantity}: ${line.amount}`),
    `Total: ${total}`,
    "",
    `Order ${input.purchaseId}. Every email we send you is listed at ${accountUrl}.`,
  ].join("\n");
  return { subject, html, text };
}

import { compile, type FormatCallback, type SelectorDefinition } from "html-to-text";
import type { ReactElement } from "react";
import { plainTextSelectors, render } from "react-email";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * How the markup of `layout.tsx` reads as plain text: React Email's own rules
 * (skip images and the hidden preview line, links as "text URL"), then ours.
 * html-to-text's defaults shout headings and put every table cell on its own
 * line; these keep headings as written, a label/value row on one line
 * ("When: …", "Total: $12.00"), and a button as "Label: URL".
 */
const selectors: SelectorDefinition[] = [
  ...plainTextSelectors,
  ...(["h1", "h2", "h3"] as const).map((selector) => ({ selector, options: { uppercase: false } })),
  { selector: "[data-text-row]", format: "block", options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
  { selector: "[data-text-label]", format: "label" },
  { selector: "[data-text-value]", format: "inline" },
  { selector: "a[data-text-button]", format: "button" },
];

/** "When" → "When: " (the colon is text-only; the HTML shows a table). */
const label: FormatCallback = (element, walk, builder) => {
  walk(element.children, builder);
  builder.addLiteral(": ");
};

/** "Accept the invitation" → "Accept the invitation: https://…". */
const button: FormatCallback = (element, walk, builder) => {
  walk(element.children, builder);
  builder.addLiteral(`: ${element.attribs?.href ?? ""}`);
};

/**
 * Compiled once: React Email's `toPlainText` recompiles these options on every
 * call, which costs ten times the conversion itself.
 */
const toPlainText = compile({ wordwrap: false, selectors, formatters: { label, button } });

/**
 * Renders an email component to its HTML and plain-text parts. Pure: the same
 * element renders the same bytes, so a retry reuses Resend's idempotency key safely.
 * The text part is derived from the HTML, so the two can never say different things.
 */
export async function renderEmail(subject: string, email: ReactElement): Promise<RenderedEmail> {
  const html = await render(email);
  return { subject, html, text: toPlainText(html).trim() };
}

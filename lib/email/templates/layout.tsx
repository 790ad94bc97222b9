import type { CSSProperties, ReactNode } from "react";
import { Body, Button as EmailButton, Container, Head, Heading, Html, Preview, Text } from "react-email";

/**
 * The frame and the building blocks every email shares. Styles are inline
 * (React Email components write them as `style` attributes) because mail clients
 * ignore <style> blocks. This file has no default export, so the preview server
 * does not list it as an email.
 */

const body: CSSProperties = {
  margin: 0,
  padding: "24px",
  backgroundColor: "#f6f7f9",
  fontFamily: "system-ui,-apple-system,Segoe UI,Roboto,sans-serif",
  color: "#111111",
};
const card: CSSProperties = { maxWidth: "560px", backgroundColor: "#ffffff", borderRadius: "8px", padding: "32px" };
const paragraph: CSSProperties = { fontSize: "16px", lineHeight: "24px", margin: "16px 0" };

export function EmailLayout(props: { lang: string; title: string; preview: string; children: ReactNode }) {
  return (
    <Html lang={props.lang}>
      <Head>
        <title>{props.title}</title>
      </Head>
      <Body lang={props.lang} style={body}>
        <Preview useTitleTag={false}>{props.preview}</Preview>
        <Container style={card}>{props.children}</Container>
      </Body>
    </Html>
  );
}

export function Title(props: { children: ReactNode }) {
  return (
    <Heading as="h1" style={{ fontSize: "22px", lineHeight: "30px", margin: "0 0 16px" }}>
      {props.children}
    </Heading>
  );
}

/** `htmlOnly` leaves the paragraph out of the text part (a link the text part already shows). */
export function Paragraph(props: { children: ReactNode; style?: CSSProperties; htmlOnly?: boolean }) {
  return (
    <Text style={{ ...paragraph, ...props.style }} {...(props.htmlOnly && { "data-skip-in-text": "true" })}>
      {props.children}
    </Text>
  );
}

/** Inline code (a command to run); plain <code>, as React Email's CodeInline repeats its text for Outlook. */
export function Code(props: { children: ReactNode }) {
  return (
    <code style={{ backgroundColor: "#f3f4f6", padding: "1px 4px", borderRadius: "4px", fontSize: "14px" }}>
      {props.children}
    </code>
  );
}

/** Small grey print at the bottom of an email. */
export function FinePrint(props: { children: ReactNode }) {
  return <Text style={{ ...paragraph, fontSize: "14px", lineHeight: "20px", color: "#555555" }}>{props.children}</Text>;
}

/** Keeps the line breaks of user-written text (a notification body) in HTML; the text part keeps them too. */
export function Lines(props: { text: string }) {
  const lines = props.text.split(/\r?\n/);
  return (
    <Paragraph>
      {lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of lines, rendered once and never reordered
        <span key={index}>
          {index > 0 && <br />}
          {line}
        </span>
      ))}
    </Paragraph>
  );
}

/** A call to action; in the text part it reads "Label: URL". */
export function ActionButton(props: { href: string; children: ReactNode }) {
  return (
    <Text style={{ margin: "28px 0" }}>
      <EmailButton
        href={props.href}
        data-text-button=""
        style={{ backgroundColor: "#111111", color: "#ffffff", padding: "12px 20px", borderRadius: "6px", fontSize: "16px" }}
      >
        {props.children}
      </EmailButton>
    </Text>
  );
}

/** Label/value rows (a sign-in's time and device, a failed job's ids); one "Label: value" line each in the text part. */
export function Details(props: { rows: ReadonlyArray<readonly [string, string]> }) {
  return (
    <table
      role="presentation"
      cellPadding={0}
      cellSpacing={0}
      style={{ borderCollapse: "collapse", margin: "16px 0", fontSize: "15px" }}
    >
      <tbody>
        {props.rows.map(([label, value]) => (
          <tr key={label} data-text-row="">
            <th data-text-label="" style={{ textAlign: "left", padding: "4px 16px 4px 0", verticalAlign: "top" }}>
              {label}
            </th>
            <td data-text-value="" style={{ padding: "4px 0", wordBreak: "break-word" }}>
              {value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Amount lines with a total (receipts); "Item × 2: $3.00" lines in the text part. */
export function AmountTable(props: {
  lines: ReadonlyArray<{ label: string; amount: string }>;
  total: { label: string; amount: string };
}) {
  const cell: CSSProperties = { padding: "4px 0" };
  const totalCell: CSSProperties = { padding: "8px 0", borderTop: "1px solid #e3e5e8", fontWeight: 700 };
  return (
    <table
      role="presentation"
      width="100%"
      cellPadding={0}
      cellSpacing={0}
      style={{ borderCollapse: "collapse", margin: "16px 0" }}
    >
      <tbody>
        {props.lines.map((line, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of lines, rendered once and never reordered
          <tr key={index} data-text-row="">
            <td data-text-label="" style={cell}>
              {line.label}
            </td>
            <td data-text-value="" style={{ ...cell, textAlign: "right" }}>
              {line.amount}
            </td>
          </tr>
        ))}
        <tr data-text-row="">
          <td data-text-label="" style={totalCell}>
            {props.total.label}
          </td>
          <td data-text-value="" style={{ ...totalCell, textAlign: "right" }}>
            {props.total.amount}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

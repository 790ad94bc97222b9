import { invalidField, missingField, ResendApiError } from "./errors";

/**
 * Checks one email as it arrives on the wire (snake_case, as the SDK sends it)
 * and returns it normalised. Errors follow Resend's names; statuses use 422,
 * which production answers for field errors.
 */

interface Attachment {
  filename: string | null;
  contentType: string | null;
  contentId: string | null;
  /** Remote URL Resend would fetch instead of `content`. */
  path: string | null;
  /** Base64 content as sent. */
  content: string | null;
  /** Decoded size in bytes, when `content` was sent. */
  sizeBytes: number | null;
}

export interface EmailDraft {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  tags: Array<{ name: string; value: string }>;
  attachments: Attachment[];
  /** ISO 8601, resolved against the emulator clock for "in 5 min" forms. */
  scheduledAt: string | null;
  template: { id: string; variables: Record<string, unknown> } | null;
  topicId: string | null;
}

/** Resend's cap on `to`, `cc` and `bcc` each. */
const MAX_RECIPIENTS = 50;
const MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024;

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** The bare address in `a@b.co` or `Name <a@b.co>`, else null. */
function parseAddress(value: string): string | null {
  const trimmed = value.trim();
  const named = /^(.*)<([^<>]*)>$/.exec(trimmed);
  const address = named ? named[2]!.trim() : trimmed;
  return ADDRESS.test(address) ? address : null;
}

const isPresent = (value: unknown) => value !== undefined && value !== null;

function addressList(body: Record<string, unknown>, field: string, required: boolean): string[] {
  const value = body[field];
  if (!isPresent(value)) {
    if (required) throw missingField(field);
    return [];
  }
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw invalidField(`The \`${field}\` field must be a string or an array of strings.`);
  }
  if (required && list.length === 0) throw missingField(field);
  if (list.length > MAX_RECIPIENTS) {
    throw invalidField(`Too many recipients in \`${field}\`. The maximum is ${MAX_RECIPIENTS}.`);
  }
  for (const item of list as string[]) {
    if (parseAddress(item) === null) {
      throw invalidField(
        `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
      );
    }
  }
  return list as string[];
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (!isPresent(value)) return null;
  if (typeof value !== "string") throw invalidField(`The \`${field}\` field must be a string.`);
  return value;
}

const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;

function tags(value: unknown): EmailDraft["tags"] {
  if (!isPresent(value)) return [];
  if (!Array.isArray(value)) throw invalidField("The `tags` field must be an array.");
  return value.map((tag: unknown) => {
    const { name, value: tagValue } = (tag ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || typeof tagValue !== "string" || !TAG_PART.test(name) || !TAG_PART.test(tagValue)) {
      throw invalidField(
        "Tags should only contain ASCII letters, numbers, underscores, or dashes, with at most 256 characters each.",
      );
    }
    return { name, value: tagValue };
  });
}

function headers(value: unknown): Record<string, string> {
  if (!isPresent(value)) return {};
  if (typeof value !== "object" || Array.isArray(value) || Object.values(value as object).some((v) => typeof v !== "string")) {
    throw invalidField("The `headers` field must be an object of string values.");
  }
  return { ...(value as Record<string, string>) };
}

function attachments(value: unknown): Attachment[] {
  if (!isPresent(value)) return [];
  if (!Array.isArray(value)) throw invalidField("The `attachments` field must be an array.");
  let total = 0;
  const list = value.map((raw: unknown): Attachment => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const content = typeof item.content === "string" ? item.content : null;
    const path = typeof item.path === "string" ? item.path : null;
    if (content === null && path === null) {
      throw new ResendApiError(422, "invalid_attachment", "Attachment must have either a `content` or `path`.");
    }
    const filename = typeof item.filename === "string" ? item.filename : null;
    if (content !== null && filename === null) {
      throw new ResendApiError(422, "invalid_attachment", "Attachment `filename` is required when `content` is given.");
    }
    const sizeBytes = content === null ? null : Buffer.from(content, "base64").length;
    total += sizeBytes ?? 0;
    return {
      filename,
      contentType: typeof item.content_type === "string" ? item.content_type : null,
      contentId: typeof item.content_id === "string" ? item.content_id : null,
      path,
      content,
      sizeBytes,
    };
  });
  if (total > MAX_ATTACHMENT_BYTES) throw invalidField("Attachments exceed the 40 MB limit per email.");
  return list;
}

const RELATIVE = /^in\s+(\d+)\s*(min|mins|minute|minutes|hour|hours|day|days)$/i;
const UNIT_MS: Record<string, number> = { min: 60_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** ISO 8601 for `scheduled_at`, accepting Resend's "in 1 min" form too. */
export function parseScheduledAt(value: unknown, nowMs: number): string | null {
  if (!isPresent(value)) return null;
  const invalid = invalidField("The `scheduled_at` field must be an ISO 8601 date or a phrase like `in 1 min`.");
  if (typeof value !== "string") throw invalid;
  const relative = RELATIVE.exec(value.trim());
  if (relative) {
    const unit = relative[2]!.toLowerCase().replace(/s$/, "");
    return new Date(nowMs + Number(relative[1]) * UNIT_MS[unit]!).toISOString();
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid;
  return new Date(ms).toISOString();
}

function template(value: unknown): EmailDraft["template"] {
  if (!isPresent(value)) return null;
  const { id, variables } = (value ?? {}) as Record<string, unknown>;
  if (typeof id !== "string" || id === "") throw missingField("template.id");
  if (isPresent(variables) && (typeof variables !== "object" || Array.isArray(variables))) {
    throw invalidField("The `template.variables` field must be an object.");
  }
  return { id, variables: { ...((variables as Record<string, unknown>) ?? {}) } };
}

export interface ValidateOptions {
  nowMs: number;
  /** Batch emails may not carry attachments or `scheduled_at`. */
  batch?: boolean;
}

export function validateEmail(input: unknown, options: ValidateOptions): EmailDraft {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw invalidField("The email must be a JSON object.");
  }
  const body = input as Record<string, unknown>;
  const usesTemplate = isPresent(body.template);
  const from = optionalString(body, "from");
  if (from === null && !usesTemplate) throw missingField("from");
  if (from !== null && parseAddress(from) === null) {
    throw new ResendApiError(
      422,
      "invalid_from_address",
      "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
    );
  }
  const to = addressList(body, "to", true);
  const subject = optionalString(body, "subject");
  if (subject === null && !usesTemplate) throw missingField("subject");
  const html = optionalString(body, "html");
  const text = optionalString(body, "text");
  if (usesTemplate && (html !== null || text !== null)) {
    throw invalidField("The `template` field cannot be combined with `html` or `text`.");
  }
  if (!usesTemplate && html === null && text === null) throw missingField("html` or `text");
  if (options.batch && isPresent(body.attachments)) throw invalidField("Attachments are not supported in batch emails.");
  if (options.batch && isPresent(body.scheduled_at)) throw invalidField("`scheduled_at` is not supported in batch emails.");

  return {
    from: from ?? "",
    to,
    cc: addressList(body, "cc", false),
    bcc: addressList(body, "bcc", false),
    replyTo: addressList(body, "reply_to", false),
    subject: subject ?? "",
    html,
    text,
    headers: headers(body.headers),
    tags: tags(body.tags),
    attachments: attachments(body.attachments),
    scheduledAt: parseScheduledAt(body.scheduled_at, options.nowMs),
    template: template(body.template),
    topicId: optionalString(body, "topic_id"),
  };
}

import type { Command, Outcome, Reply } from "./engine";

/**
 * The Upstash REST wire format: JSON command arrays in, `{result}` / `{error}`
 * out, optionally base64-encoded (`Upstash-Encoding: base64`).
 */

/** A request body the protocol cannot carry; answered 400. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One argument as the bulk string Redis receives. */
function toBulkString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ProtocolError("ERR invalid number argument");
    // Large integers print in exponent form with String(); Redis wants plain digits.
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  // @upstash/ratelimit sends `null` as an ARGV placeholder.
  if (value === null) return "";
  throw new ProtocolError("ERR arguments must be strings, numbers, booleans or null");
}

function toCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ProtocolError("ERR a command must be a non-empty JSON array");
  }
  if (typeof value[0] !== "string" || value[0] === "") throw new ProtocolError("ERR the command name must be a string");
  return value.map(toBulkString);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProtocolError("ERR failed to parse the request body as JSON");
  }
}

/** Body of `POST /`: `["SET","k","v"]`. */
export function parseSingle(text: string): Command {
  return toCommand(parseJson(text));
}

/** Body of `POST /pipeline` and `/multi-exec`: `[["SET","k","v"],["GET","k"]]`. */
export function parseBatch(text: string): Command[] {
  const body = parseJson(text);
  if (!Array.isArray(body) || body.length === 0) {
    throw new ProtocolError("ERR the body must be a non-empty JSON array of commands");
  }
  return body.map(toCommand);
}

type JsonReply = string | number | null | JsonReply[];

/**
 * Strings become base64 of their bytes when `base64` is set, except the status
 * "OK", which the SDK leaves undecoded. Numbers and nil pass through.
 */
function encodeReply(reply: Reply, base64: boolean): JsonReply {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  const bytes = typeof reply === "string" ? Buffer.from(reply, "utf8") : reply;
  if (!base64) return typeof reply === "string" ? reply : bytes.toString("utf8");
  return bytes.length === 2 && bytes.toString("latin1") === "OK" ? "OK" : bytes.toString("base64");
}

export function encodeOutcome(outcome: Outcome, base64: boolean): { result: JsonReply } | { error: string } {
  return "error" in outcome ? { error: outcome.error } : { result: encodeReply(outcome.result, base64) };
}

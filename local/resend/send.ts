import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StackClock } from "../clock";
import { errorNameForStatus, invalidField, ResendApiError } from "./errors";
import type { FaultController } from "./faults";
import { canonicalJson, readIdempotencyKey, type IdempotencyStore } from "./idempotency";
import { sendJson } from "./http";
import type { CapturedEmail, EmailStore } from "./store";
import { validateEmail, type EmailDraft } from "./validate";

/** `POST /emails` and `POST /emails/batch`: validate, dedupe, inject faults, capture. */

const MAX_BATCH_SIZE = 100;

export interface SendDeps {
  clock: StackClock;
  store: EmailStore;
  idempotency: IdempotencyStore;
  faults: FaultController;
  events: EventEmitter;
  generateId: () => string;
  /** Resolves after `ms` of emulator time; resolves false if the server closed meanwhile. */
  delay(ms: number): Promise<boolean>;
}

export interface SendRequest {
  req: IncomingMessage;
  res: ServerResponse;
  apiKey: string;
  path: string;
  body: string;
  batch: boolean;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ResendApiError(400, "validation_error", "The request body is not valid JSON.");
  }
}

type Validated = { drafts: EmailDraft[]; errors: Array<{ index: number; message: string }>; mode: string | null };

function validateBatch(json: unknown, modeHeader: string | string[] | undefined, nowMs: number): Validated {
  const mode = (Array.isArray(modeHeader) ? modeHeader[0] : modeHeader)?.toLowerCase() ?? "strict";
  if (mode !== "strict" && mode !== "permissive") {
    throw invalidField("The `x-batch-validation` header must be `strict` or `permissive`.");
  }
  if (!Array.isArray(json)) throw invalidField("The request body must be an array of emails.");
  if (json.length === 0) throw invalidField("The batch must contain at least one email.");
  if (json.length > MAX_BATCH_SIZE) throw invalidField(`Too many emails in the batch. The maximum is ${MAX_BATCH_SIZE}.`);
  const drafts: EmailDraft[] = [];
  const errors: Validated["errors"] = [];
  json.forEach((item, index) => {
    try {
      drafts.push(validateEmail(item, { nowMs, batch: true }));
    } catch (error) {
      if (mode === "strict" || !(error instanceof ResendApiError)) throw error;
      errors.push({ index, message: error.message });
    }
  });
  return { drafts, errors, mode };
}

export async function handleSend(request: SendRequest, deps: SendDeps): Promise<void> {
  const { req, res } = request;
  const idempotencyKey = readIdempotencyKey(req.headers["idempotency-key"]);
  const json = parseJson(request.body);
  const nowMs = deps.clock.now();
  const { drafts, errors, mode } = request.batch
    ? validateBatch(json, req.headers["x-batch-validation"], nowMs)
    : { drafts: [validateEmail(json, { nowMs })], errors: [], mode: null };

  const fingerprint = canonicalJson({ method: "POST", path: request.path, mode, body: json });
  const claim = idempotencyKey === null ? null : deps.idempotency.claim(request.apiKey, idempotencyKey, fingerprint);
  if (claim?.kind === "replay") return sendJson(res, claim.response.status, claim.response.body);

  let completed = false;
  try {
    if (!(await applyFaults(request, deps))) return;
    const createdAt = new Date(deps.clock.now()).toISOString();
    const batchId = request.batch ? deps.generateId() : null;
    const emails: CapturedEmail[] = drafts.map((draft) => ({
      ...draft,
      id: deps.generateId(),
      createdAt,
      idempotencyKey,
      batchId,
      canceled: false,
    }));
    deps.store.add(emails);
    const ids = emails.map((email) => ({ id: email.id }));
    const body = !request.batch ? ids[0] : mode === "permissive" ? { data: ids, errors } : { data: ids };
    if (claim) claim.complete({ status: 200, body });
    completed = true;
    for (const email of emails) deps.events.emit("email", email);
    sendJson(res, 200, body);
  } finally {
    if (claim && !completed) claim.release();
  }
}

/** Applies the active faults; false when the send failed and was answered (or never will be). */
async function applyFaults({ req, res }: SendRequest, deps: SendDeps): Promise<boolean> {
  const latencyMs = deps.faults.latencyMs();
  if (latencyMs > 0) {
    deps.events.emit("fault", { kind: "latency", latencyMs });
    if (!(await deps.delay(latencyMs))) return false;
  }
  const failure = deps.faults.nextFailure();
  if (!failure) return true;
  deps.events.emit("fault", failure);
  if (failure.kind === "close") {
    req.socket.destroy();
    return false;
  }
  if (failure.kind === "hang") {
    await new Promise<void>((resolve) => {
      const forget = deps.faults.hold(() => {
        res.destroy();
        resolve();
      });
      res.once("close", () => {
        forget();
        resolve();
      });
    });
    return false;
  }
  const { status } = failure;
  const extra: Record<string, string> = status === 429 ? { "retry-after": "1" } : {};
  sendJson(
    res,
    status,
    { statusCode: status, name: errorNameForStatus(status), message: `Injected fault: this send failed with HTTP ${status}.` },
    extra,
  );
  return false;
}

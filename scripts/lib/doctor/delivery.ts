import type { Client } from "@upstash/qstash";
import { buildRequest } from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import { describeError, fail, pass, snippet, type CheckResult } from "./check";
import { diagnose, type Answer } from "./diagnose";

const ID = "delivery";
const TITLE = "Test job delivery";

/** The parts of a QStash event (`GET /v2/events`) the doctor reads. */
interface DeliveryEvent {
  state: string;
  time: number;
  responseStatus?: number;
  responseBody?: string;
  responseBodyBase64?: string;
  responseHeaders?: Record<string, string[]>;
  error?: string;
}

export interface DeliveryCheckOptions {
  client: Pick<Client, "publishJSON" | "logs" | "messages">;
  appUrl: string;
  /** How long to follow the message before giving up. */
  timeoutMs: number;
  pollIntervalMs: number;
  /** From the QStash check: whether the signing keys equal the account's (undefined when unknown). */
  keysMatch?: boolean;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const FAILED_ATTEMPT = new Set(["ERROR", "RETRY", "FAILED"]);

function answerOf(event: DeliveryEvent): Answer {
  const header = (name: string) =>
    Object.entries(event.responseHeaders ?? {}).find(([key]) => key.toLowerCase() === name)?.[1]?.[0];
  const body =
    event.responseBody ?? (event.responseBodyBase64 ? Buffer.from(event.responseBodyBase64, "base64").toString("utf8") : "");
  if (event.responseStatus === undefined || event.responseStatus === 0) return { body, error: event.error ?? "no answer" };
  return { status: event.responseStatus, contentType: header("content-type"), location: header("location"), body };
}

/**
 * Publishes a real `test` job to the deployment and follows it through
 * QStash's events until it is delivered or an attempt fails. On failure the
 * message is cancelled so its retries don't land in the DLQ and alert anyone.
 */
export async function checkDelivery(options: DeliveryCheckOptions): Promise<CheckResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const request = buildRequest(options.appUrl, testJob, { message: "npm run doctor" });
  let messageId: string;
  try {
    ({ messageId } = await options.client.publishJSON(request));
  } catch (error) {
    return fail(ID, TITLE, `QStash refused the publish: ${describeError(error)}`, "fix the QStash line above first");
  }
  const deadline = now() + options.timeoutMs;
  let lastState = "not seen yet";
  while (now() <= deadline) {
    const { logs } = await options.client.logs({ filter: { messageId } });
    const events = (logs as unknown as DeliveryEvent[]).slice().sort((a, b) => a.time - b.time);
    if (events.some((event) => event.state === "DELIVERED"))
      return pass(ID, TITLE, `a test job (${messageId}) was delivered to ${request.url} and ran`);
    const failed = events.find((event) => FAILED_ATTEMPT.has(event.state));
    if (failed) {
      await options.client.messages.cancel(messageId).catch(() => undefined);
      const answer = answerOf(failed);
      const diagnosis = diagnose(answer, { calledUrl: request.url, keysMatch: options.keysMatch });
      return fail(
        ID,
        TITLE,
        `QStash got ${answer.status ?? answer.error} from ${request.url}: ${diagnosis.detail} (likely cause: ${diagnosis.cause})`,
        diagnosis.fix,
        {
          ...(answer.status !== undefined && { status: answer.status }),
          body: snippet(answer.body),
          ...(answer.error !== undefined && { error: answer.error }),
        },
      );
    }
    lastState = events.at(-1)?.state ?? lastState;
    await sleep(options.pollIntervalMs);
  }
  await options.client.messages.cancel(messageId).catch(() => undefined);
  return fail(
    ID,
    TITLE,
    `message ${messageId} was not delivered within ${Math.round(options.timeoutMs / 1000)}s (last state: ${lastState})`,
    "look the message up in the Upstash console → QStash → Logs; a long-queued message points at flow control or a paused queue",
  );
}

import { stageOutboxEntries } from "../job-runtime";
import { notification } from "../jobs/notification";
import { durableQueue } from "../jobs/outbox";
import { randomHex } from "../orgs/store";
import type { Services } from "../deps";
import { getUser } from "../users/store";

export interface NotifyInput {
  userId: string;
  title: string;
  body: string;
  /** Same-site path (`/reports/…`) or absolute https URL. */
  link?: string;
  /** Also email it. @default true */
  email?: boolean;
}

/** `ntf_` + 128 random bits in hex. */
function newNotificationId(): string {
  return `ntf_${randomHex(16)}`;
}

export interface NotifyResult {
  notificationId: string;
  /** The job's QStash message, or null while it waits in the outbox (QStash unreachable). */
  messageId: string | null;
}

/**
 * Queues an in-app notification (and its email) for a user. The address and
 * name are read now and travel in the payload, so every retry renders the same
 * email for Resend's idempotency key. The job stores the notification itself, so
 * its outbox entry is the only record until it runs: written first, then
 * published. Returns null for an unknown user.
 */
export async function notifyUser(services: Services, input: NotifyInput): Promise<NotifyResult | null> {
  const user = await getUser(services.redis, input.userId);
  if (!user) return null;
  const notificationId = newNotificationId();
  const queue = durableQueue(services);
  const entry = queue.prepare(notification, {
    notificationId,
    userId: user.id,
    email: user.email,
    name: user.name,
    title: input.title,
    body: input.body,
    ...(input.link !== undefined && { link: input.link }),
    sendEmail: input.email ?? true,
  });
  await stageOutboxEntries(services.redis.multi(), [entry]).exec();
  const { published } = await queue.publish([entry]);
  return { notificationId, messageId: published[0]?.messageId ?? null };
}

import { Ratelimit } from "@upstash/ratelimit";
import { stageOutboxEntries } from "../job-runtime";
import { durableQueue } from "../jobs/outbox";
import { verifyEmailJob } from "../jobs/verify-email";
import { randomHex } from "../orgs/store";
import type { Services } from "../deps";
import { issueVerificationToken, verifyUrl } from "../users/email-verification";
import type { User } from "../users/store";

/**
 * Verification and "you already have an account" emails go to an address
 * someone typed, so each address gets at most 5 a day: sign-ups and resends
 * alike. Enough for a person who lost a few emails; useless for flooding.
 */
const VERIFY_EMAILS_PER_ADDRESS = 5;
const VERIFY_EMAIL_WINDOW = "24 h";

export type VerificationMailResult =
  /** `messageId` is null while the email waits in the outbox (QStash unreachable); it goes out once QStash answers. */
  { state: "queued"; messageId: string | null } | { state: "already_verified" } | { state: "rate_limited" };

function limiter(services: Services) {
  return new Ratelimit({
    redis: services.redis,
    limiter: Ratelimit.slidingWindow(VERIFY_EMAILS_PER_ADDRESS, VERIFY_EMAIL_WINDOW),
    prefix: "ratelimit:verify-email",
    timeout: 0,
    ephemeralCache: false,
    analytics: false,
  });
}

async function withinLimit(services: Services, email: string): Promise<boolean> {
  const answer = await limiter(services).limit(email);
  if (answer.reason === "timeout") throw new Error("verification email limit could not be checked (Redis timed out)");
  return answer.success;
}

const newLinkId = () => `vl_${randomHex(16)}`;

/**
 * Issues a fresh link (the previous one stops working) with its email in the
 * outbox (one script), then publishes the email.
 * `next` is where to go after confirming and signing in (an invite, say); it is
 * resolved like every redirect when used, never trusted from the link.
 */
export async function sendVerificationLink(
  services: Services,
  user: Pick<User, "id" | "email" | "name">,
  options: { next?: string } = {},
): Promise<VerificationMailResult> {
  if (!(await withinLimit(services, user.email))) return { state: "rate_limited" };
  const queue = durableQueue(services);
  const issued = await issueVerificationToken(services.redis, user, services.clock.now(), ({ token, expiresAt }) => {
    const url = new URL(verifyUrl(services.env.APP_URL, token));
    if (options.next) url.searchParams.set("next", options.next);
    return queue.prepare(verifyEmailJob, {
      kind: "verify",
      linkId: newLinkId(),
      userId: user.id,
      email: user.email,
      name: user.name,
      verifyUrl: url.toString(),
      expiresAt,
    });
  });
  if (issued.state !== "issued") return { state: "already_verified" };
  const { published } = await queue.publish(issued.email ? [issued.email] : []);
  return { state: "queued", messageId: published[0]?.messageId ?? null };
}

/** Tells the owner of a registered address that someone tried to sign up with it. */
export async function sendAccountExistsNotice(
  services: Services,
  user: Pick<User, "id" | "email">,
): Promise<VerificationMailResult> {
  if (!(await withinLimit(services, user.email))) return { state: "rate_limited" };
  const signInUrl = new URL("/signin", services.env.APP_URL);
  signInUrl.searchParams.set("email", user.email);
  const queue = durableQueue(services);
  // No domain write of its own: the entry, written first, is the notice's durable record.
  const entry = queue.prepare(verifyEmailJob, {
    kind: "exists",
    linkId: newLinkId(),
    userId: user.id,
    email: user.email,
    signInUrl: signInUrl.toString(),
  });
  await stageOutboxEntries(services.redis.multi(), [entry]).exec();
  const { published } = await queue.publish([entry]);
  return { state: "queued", messageId: published[0]?.messageId ?? null };
}

import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

const link = (path: string) =>
  z.url({ protocol: /^https?$/ }).check(z.refine((url) => new URL(url).pathname.startsWith(path), `must be a ${path} link`));

const verifyEmailSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("verify"),
    /** Random per link: keys the email's idempotency, so a resend is a new email and a retry is not. */
    linkId: z.string().check(z.regex(/^vl_[a-f0-9]{32}$/)),
    userId: z.string().check(z.minLength(1), z.maxLength(100)),
    email: z.email(),
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    /** The link with the raw token, like an invite's (see docs/decisions/0004-invite-token-in-payload.md). */
    verifyUrl: link("/verify-email/"),
    expiresAt: z.int().check(z.positive()),
  }),
  z.object({
    kind: z.literal("exists"),
    linkId: z.string().check(z.regex(/^vl_[a-f0-9]{32}$/)),
    userId: z.string().check(z.minLength(1), z.maxLength(100)),
    email: z.email(),
    signInUrl: link("/signin"),
  }),
]);

/** Emails the link that proves an address, or tells an existing account's owner that someone tried to sign up with it. */
export const verifyEmailJob = defineJob({
  name: "verify-email",
  schema: verifyEmailSchema,
  retries: 3,
  retryDelay: "pow(2, retried) * 2000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.linkId,
});

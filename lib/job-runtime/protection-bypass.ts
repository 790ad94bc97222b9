/**
 * Vercel Deployment Protection answers QStash with its login page unless the
 * request carries the project's "Protection Bypass for Automation" secret in
 * this header. Vercel exposes the secret to deployments as
 * VERCEL_AUTOMATION_BYPASS_SECRET.
 */
export const PROTECTION_BYPASS_HEADER = "x-vercel-protection-bypass";

/**
 * Client-wide headers for the QStash client: the official SDK adds them to
 * every publish, enqueue, batch and schedule it sends, and to nothing else.
 * A plain name is forwarded to the destination (`Upstash-Forward-…`); the
 * failure callback only receives its own forwarded headers, so it gets the
 * secret under `Upstash-Failure-Callback-Forward-…`. Empty without a secret.
 */
export function protectionBypassHeaders(secret: string | undefined): Record<string, string> {
  if (!secret) return {};
  return {
    [PROTECTION_BYPASS_HEADER]: secret,
    [`Upstash-Failure-Callback-Forward-${PROTECTION_BYPASS_HEADER}`]: secret,
  };
}

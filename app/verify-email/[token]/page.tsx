import type { Metadata } from "next";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { lookupVerificationToken } from "@/lib/users/email-verification";
import { confirmEmailAction } from "./actions";

// The token is in the URL: keep it out of other sites' Referer headers and out of search engines.
export const metadata: Metadata = {
  title: "Confirm your email · Acme",
  // same-origin, not no-referrer: under no-referrer the browser sends `Origin: null` with the form post,
  // and Next refuses a server action whose Origin is not the app (its CSRF check). Other sites still get no Referer.
  referrer: "same-origin",
  robots: { index: false, follow: false },
};

const RESULTS: Record<string, string> = {
  unknown: "This link isn't valid any more: it was used, it expired, or it was copied incompletely.",
  superseded: "A newer link was sent after this one; use the most recent email.",
};

export default async function VerifyEmailPage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<{ next?: string; result?: string }>;
}) {
  const { token } = await params;
  const { next, result } = await searchParams;
  const services = getServices();
  const failed = result ? RESULTS[result] : undefined;
  if (failed || (await lookupVerificationToken(services.redis, token)) === "unknown") {
    return (
      <section className="card" data-testid="verify-email">
        <h1>This link doesn't work</h1>
        <p className="error" role="alert">
          {failed ?? RESULTS.unknown}
        </p>
        <p>
          <a href="/signin">Sign in</a> and use “Send a new link” at the top of the page.
        </p>
      </section>
    );
  }
  return (
    <section className="card" data-testid="verify-email">
      <h1>Confirm your email address</h1>
      <form action={confirmEmailAction}>
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="next" value={resolveNext(next, services.env.APP_URL, { fallback: "/account" })} />
        <button type="submit">Confirm my address</button>
      </form>
    </section>
  );
}

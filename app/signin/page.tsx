import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { currentUser } from "./session-cookie";
import { SignInForm } from "./signin-form";

export const metadata = { title: "Sign in · Acme" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; email?: string; verified?: string }>;
}) {
  const { next, email, verified } = await searchParams;
  const target = resolveNext(next, getServices().env.APP_URL, { fallback: "/account" });
  const user = await currentUser();
  return (
    <section>
      <h1>Sign in</h1>
      {verified === "1" ? (
        <p className="ok" role="status">
          Your email address is confirmed. Sign in to continue.
        </p>
      ) : null}
      {user ? (
        <p className="muted">
          You're signed in as {user.email}. <a href={target}>Continue</a> or sign in as someone else below.
        </p>
      ) : null}
      <SignInForm next={target} email={email} />
      <p className="muted">
        No account yet? <a href="/signup">Create one</a>. We email you after every sign-in.
      </p>
    </section>
  );
}

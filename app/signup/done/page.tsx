export const metadata = { title: "Check your inbox · Acme" };

export default async function SignupDone({ searchParams }: { searchParams: Promise<{ email?: string }> }) {
  const { email } = await searchParams;
  const shown = typeof email === "string" ? email.slice(0, 254) : "";
  return (
    <section className="card">
      <h1>Check your inbox</h1>
      <p data-testid="signup-done">
        We sent a link to confirm {shown ? <strong>{shown}</strong> : "your address"}. Open it, then sign in with your password.
      </p>
      <p className="muted">
        Nothing there after a few minutes? Check your spam folder. If you already had an account with this address, the email
        tells you how to sign in instead.
      </p>
    </section>
  );
}

export const metadata = { title: "Welcome · Acme" };

export default async function SignupDone({ searchParams }: { searchParams: Promise<{ email?: string }> }) {
  const { email } = await searchParams;
  return (
    <section className="card">
      <h1>You're in!</h1>
      <p data-testid="signup-done">
        Your account is ready. A welcome email is on its way{email ? ` to ${email}` : ""}.
      </p>
    </section>
  );
}

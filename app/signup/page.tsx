import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { SignupForm } from "./signup-form";

export const metadata = { title: "Sign up · Acme" };

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string; email?: string }> }) {
  const { next, email } = await searchParams;
  return (
    <section>
      <h1>Create your account</h1>
      <SignupForm
        email={typeof email === "string" ? email.slice(0, 320) : ""}
        next={resolveNext(next, getServices().env.APP_URL, { fallback: "" })}
      />
    </section>
  );
}

import { SignupForm } from "./signup-form";

export const metadata = { title: "Sign up · Acme" };

export default function SignupPage() {
  return (
    <section>
      <h1>Create your account</h1>
      <SignupForm />
    </section>
  );
}

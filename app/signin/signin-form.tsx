"use client";

import { useActionState } from "react";
import { signInAction, type SignInFormState } from "./actions";

export function SignInForm({ next, email }: { next: string; email?: string }) {
  const [state, action, pending] = useActionState<SignInFormState, FormData>(signInAction, { error: null, email: email ?? "" });
  return (
    <form action={action} className="card" aria-label="Sign in">
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      <input type="hidden" name="next" value={next} />
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" required defaultValue={state.email} autoComplete="email" />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" required autoComplete="current-password" />
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

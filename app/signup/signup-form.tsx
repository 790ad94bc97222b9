"use client";

import { useActionState, useEffect, useRef } from "react";
import { signUpAction, type SignupFormState } from "./actions";

export function SignupForm({ email = "", next = "" }: { email?: string; next?: string }) {
  const initial: SignupFormState = { fieldErrors: {}, values: { name: "", email, locale: "en", timeZone: "UTC" }, next };
  const [state, action, pending] = useActionState(signUpAction, initial);
  const zone = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Emails show times in the user's own zone; the browser knows it.
    if (zone.current && !state.values.timeZone.includes("/")) {
      zone.current.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    }
  }, [state.values.timeZone]);
  const error = (field: string) =>
    state.fieldErrors[field] ? (
      <p className="error" role="alert" data-field={field}>
        {state.fieldErrors[field]}
      </p>
    ) : null;
  return (
    <form action={action} className="card" aria-label="Sign up">
      {error("form")}
      <label htmlFor="name">Name</label>
      <input id="name" name="name" required defaultValue={state.values.name} autoComplete="name" />
      {error("name")}
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" required defaultValue={state.values.email} autoComplete="email" />
      {error("email")}
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" required minLength={8} autoComplete="new-password" />
      {error("password")}
      <label htmlFor="locale">Language</label>
      <select id="locale" name="locale" defaultValue={state.values.locale}>
        <option value="en">English</option>
        <option value="mn">Монгол</option>
      </select>
      <input ref={zone} type="hidden" name="timeZone" defaultValue={state.values.timeZone} />
      {state.next ? <input type="hidden" name="next" value={state.next} /> : null}
      {error("timeZone")}
      <button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}

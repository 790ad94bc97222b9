"use client";

import { useActionState } from "react";
import { inviteAction, type InviteFormState } from "./actions";

export function InviteForm({ orgId }: { orgId: string }) {
  const [state, action, pending] = useActionState<InviteFormState, FormData>(inviteAction, {
    error: null,
    sentTo: null,
  });
  return (
    <form action={action} className="card" aria-label="Invite a member">
      <input type="hidden" name="orgId" value={orgId} />
      <label htmlFor="email">Email address</label>
      <input id="email" name="email" type="email" required autoComplete="off" key={state.sentTo ?? "form"} />
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.sentTo ? (
        <p className="ok" role="status">
          Invite sent to {state.sentTo}. The link works for 7 days.
        </p>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? "Sending…" : "Send invite"}
      </button>
    </form>
  );
}

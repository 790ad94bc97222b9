"use client";

import { useActionState } from "react";
import { createOrgAction, type CreateOrgFormState } from "./actions";

export function CreateOrgForm() {
  const [state, action, pending] = useActionState<CreateOrgFormState, FormData>(createOrgAction, { error: null, name: "" });
  return (
    <form action={action} className="card" aria-label="Create an organisation">
      <label htmlFor="name">Name</label>
      <input id="name" name="name" required maxLength={100} defaultValue={state.name} />
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create organisation"}
      </button>
    </form>
  );
}

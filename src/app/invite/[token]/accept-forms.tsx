"use client";

import { useActionState } from "react";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { type AcceptState, acceptAsNew, acceptAsSignedIn } from "./actions";

const buttonClass = "w-full rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-60";

function FormAlert({ state }: { state: AcceptState }) {
  return state.error ? (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {state.error}
    </p>
  ) : null;
}

/** The signed-in invitee: one button adds the membership to their account. */
export function JoinForm({ token, partnerName }: { token: string; partnerName: string }) {
  const [state, action, pending] = useActionState<AcceptState>(acceptAsSignedIn.bind(null, token), {});
  return (
    <form action={action} className="space-y-4">
      <FormAlert state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Joining…" : `Join ${partnerName}`}
      </button>
    </form>
  );
}

/** A new person: name and password; the address is the invited one. */
export function NewAccountForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState<AcceptState, FormData>(acceptAsNew.bind(null, token), {});
  const nameError = state.fieldErrors?.name;
  const passwordError = state.fieldErrors?.password;
  return (
    <form action={action} className="space-y-4">
      <Field id="invite-email" label="Email">
        <input id="invite-email" value={email} readOnly className={inputClasses()} />
      </Field>
      <Field id="invite-name" label="Your name" error={nameError}>
        <input
          id="invite-name"
          name="name"
          autoComplete="name"
          required
          className={inputClasses(!!nameError)}
          {...describedBy("invite-name", { error: nameError })}
        />
      </Field>
      <Field id="invite-password" label="Password" hint="At least 10 characters." error={passwordError}>
        <input
          id="invite-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          className={inputClasses(!!passwordError)}
          {...describedBy("invite-password", { hint: "At least 10 characters.", error: passwordError })}
        />
      </Field>
      <FormAlert state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Creating your account…" : "Create account and join"}
      </button>
    </form>
  );
}

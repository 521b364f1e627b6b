"use client";

import { AlertTriangle, ArrowRight, CheckCircle2, Terminal } from "lucide-react";
import Link from "next/link";
import { startTransition, useActionState, useRef, useState } from "react";
import { buttonClasses, Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { formatMoney as money } from "@/components/ui/money";
import { SIGNUP_FIELDS, signupFieldErrors, type SignupField } from "@/lib/schemas/signup";
import { signupAction } from "./actions";
import type { SignupState } from "./submit";

type Values = Record<SignupField, string>;

const HINTS: Partial<Record<SignupField, string>> = {
  email: "You sign in with it; we write to it about your account.",
  password: "At least 10 characters.",
};

const AUTOCOMPLETE: Record<SignupField, string> = {
  companyName: "organization",
  contactName: "name",
  email: "email",
  password: "new-password",
  country: "country",
};

export function SignupForm({ countries, signedInAs }: { countries: Array<{ code: string; name: string }>; signedInAs: string | null }) {
  const [state, formAction, pending] = useActionState<SignupState, FormData>(signupAction, {});
  const [values, setValues] = useState<Values>({ companyName: "", contactName: "", email: "", password: "", country: "" });
  const [clientErrors, setClientErrors] = useState<Partial<Record<SignupField, string>>>({});
  // Server refusals are shown until the field is edited again.
  const [editedSinceServer, setEditedSinceServer] = useState<Partial<Record<SignupField, boolean>>>({});
  const formRef = useRef<HTMLFormElement>(null);

  if (state.done) return <KeyReveal done={state.done} />;

  const errorOf = (f: SignupField) => clientErrors[f] ?? (editedSinceServer[f] ? undefined : state.fieldErrors?.[f]);

  const validateField = (f: SignupField, next: Values) => {
    const message = signupFieldErrors(next)[f];
    setClientErrors((e) => ({ ...e, [f]: message }));
  };

  const onChange = (f: SignupField, value: string) => {
    const next = { ...values, [f]: value };
    setValues(next);
    setEditedSinceServer((e) => ({ ...e, [f]: true }));
    if (clientErrors[f]) validateField(f, next); // clear an error as soon as it is fixed
  };

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const errors = signupFieldErrors(values);
    setClientErrors(errors);
    const firstInvalid = SIGNUP_FIELDS.find((f) => errors[f.name]);
    if (firstInvalid) {
      formRef.current?.querySelector<HTMLElement>(`#${firstInvalid.name}`)?.focus();
      return;
    }
    setEditedSinceServer({});
    const data = new FormData(event.currentTarget);
    startTransition(() => formAction(data));
  };

  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="space-y-5" aria-describedby={state.formError ? "form-error" : undefined}>
      {signedInAs && (
        <p className="rounded-md border border-brand-100 bg-brand-50 px-3 py-2 text-sm text-brand-900">
          You are signed in as {signedInAs}.{" "}
          <Link href="/dashboard" className="font-medium underline underline-offset-2">
            Go to your dashboard
          </Link>
        </p>
      )}
      {SIGNUP_FIELDS.map(({ name, label }) => {
        const error = errorOf(name);
        const hint = HINTS[name];
        const common = {
          id: name,
          name,
          value: values[name],
          autoComplete: AUTOCOMPLETE[name],
          required: true,
          className: inputClasses(Boolean(error)),
          onBlur: () => values[name] !== "" && validateField(name, values),
          ...describedBy(name, { hint, error }),
        };
        return (
          <Field key={name} id={name} label={label} hint={hint} error={error}>
            {name === "country" ? (
              <select {...common} onChange={(e) => onChange(name, e.target.value)}>
                <option value="">Choose a country</option>
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...common}
                type={name === "email" ? "email" : name === "password" ? "password" : "text"}
                onChange={(e) => onChange(name, e.target.value)}
              />
            )}
          </Field>
        );
      })}
      {state.formError && (
        <p id="form-error" role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.formError}
        </p>
      )}
      <Button type="submit" size="lg" className="w-full" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </Button>
      <p className="text-center text-xs text-slate-600">You start in the sandbox: test cards and test funds, nothing is charged.</p>
      <p className="border-t border-slate-100 pt-5 text-center text-sm text-slate-700">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-brand-700 underline-offset-2 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}

function KeyReveal({ done }: { done: NonNullable<SignupState["done"]> }) {
  return (
    <section aria-labelledby="ready" className="space-y-6">
      <div className="flex items-start gap-3">
        <CheckCircle2 aria-hidden className="mt-0.5 size-6 shrink-0 text-emerald-600" />
        <div>
          <h2 id="ready" className="text-xl font-semibold text-slate-950">
            Your sandbox is ready
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            {done.companyName} has a sandbox API key and{" "}
            <strong className="font-semibold text-slate-950" data-testid="sandbox-balance">
              {money(done.sandboxBalance.amount, done.sandboxBalance.currency)}
            </strong>{" "}
            of test funds.
          </p>
        </div>
      </div>

      <div>
        <p className="text-sm font-medium text-slate-800" id="key-label">
          Your sandbox API key
        </p>
        <div className="mt-1.5 flex flex-col gap-2 sm:flex-row sm:items-center">
          <code
            data-testid="sandbox-key"
            className="block min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm break-all text-slate-950"
          >
            {done.apiKey.secret}
          </code>
          <CopyButton value={done.apiKey.secret} label="Copy API key" className="h-10 shrink-0" />
        </div>
        <p role="note" className="mt-3 flex gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            <strong className="font-semibold">This is the only time we show this key.</strong> Copy it now and keep it somewhere safe: we store only a
            fingerprint of it. Lost it? Create a new one under API keys.
          </span>
        </p>
      </div>

      {done.signedIn ? (
        <div className="flex flex-col gap-3">
          <Link href="/dashboard/console" className={buttonClasses({ size: "lg", className: "w-full" })}>
            <Terminal aria-hidden className="size-4" /> Open the sandbox console
          </Link>
          <Link href="/dashboard" className={buttonClasses({ size: "lg", variant: "secondary", className: "w-full" })}>
            Go to the dashboard <ArrowRight aria-hidden className="size-4" />
          </Link>
        </div>
      ) : (
        <Link href="/login?next=%2Fdashboard%2Fconsole" className={buttonClasses({ size: "lg", className: "w-full" })}>
          Sign in to open the sandbox console
        </Link>
      )}
    </section>
  );
}

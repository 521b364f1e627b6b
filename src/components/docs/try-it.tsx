"use client";

import { useMutation } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { useTRPC } from "@/trpc/react";
import { ApiReference } from "./api-reference";

const STORAGE = "steller.docs.tryItKey";
const TEST_KEY = /^stlr_test_[A-Za-z0-9_-]{8,}$/;

/**
 * The reference with a sandbox key for "Try it". Keys are shown once and stored hashed, so no
 * existing key can be offered: paste one (kept in this tab's sessionStorage only), or, signed in
 * as an owner or developer, create a fresh sandbox key named "API reference" in one click. Live
 * keys are refused here: "Try it" must never buy real cards.
 */
export function TryItReference({ signedIn }: { signedIn: "can-create" | "no-role" | "signed-out" }) {
  const [key, setKey] = useState("");
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const inputId = useId();

  useEffect(() => {
    const saved = sessionStorage.getItem(STORAGE);
    if (saved && TEST_KEY.test(saved)) setKey(saved);
  }, []);

  const use = (value: string) => {
    const v = value.trim();
    if (v.startsWith("stlr_live_")) return setError("That is a live key: use a test key (stlr_test_…) so Try it never buys real cards.");
    if (!TEST_KEY.test(v)) return setError("A sandbox key starts with stlr_test_.");
    setError(null);
    sessionStorage.setItem(STORAGE, v);
    setKey(v);
    setDraft("");
  };

  return (
    <>
      <section aria-label="Sandbox key for Try it" className="border-b border-slate-200 bg-slate-50">
        <div className="mx-auto flex max-w-6xl flex-col gap-3 px-4 py-4 sm:px-6 lg:flex-row lg:items-end lg:justify-between">
          <div className="max-w-xl">
            <p className="flex items-center gap-2 text-sm font-semibold text-slate-900">
              <KeyRound className="size-4 text-brand-600" aria-hidden /> Try it against the sandbox
            </p>
            <p className="mt-1 text-sm text-slate-600" data-testid="try-it-status">
              {key
                ? `Requests from this page use your sandbox key ${key.slice(0, 14)}… (test money, test cards).`
                : "Add a sandbox key (stlr_test_…) and every operation's Try it button calls this server with it."}
            </p>
            {created ? (
              <p className="mt-1 text-sm text-amber-900" role="status">
                New sandbox key <code className="font-mono">{created}</code> created and in use. It is shown only now: revoke it under API keys when you are
                done.
              </p>
            ) : null}
          </div>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
            <form
              className="flex items-end gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                use(draft);
              }}
            >
              <div>
                <label htmlFor={inputId} className="block text-xs font-medium text-slate-700">
                  Sandbox API key
                </label>
                <input
                  id={inputId}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="stlr_test_…"
                  value={draft}
                  onChange={(e) => setDraft(e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${inputId}-error` : undefined}
                  className={`${inputClasses(!!error)} mt-1 w-64 font-mono`}
                />
              </div>
              <Button type="submit" variant="secondary" size="md">
                Use key
              </Button>
            </form>
            {signedIn === "can-create" ? (
              <CreateKeyButton
                onCreated={(secret) => {
                  use(secret);
                  setCreated(`${secret.slice(0, 14)}…`);
                }}
              />
            ) : null}
            {signedIn === "signed-out" ? (
              <a href="/login?next=/docs/api" className="self-center text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
                Sign in to create one
              </a>
            ) : null}
          </div>
        </div>
        {error ? (
          <p id={`${inputId}-error`} role="alert" className="mx-auto max-w-6xl px-4 pb-3 text-sm text-red-700 sm:px-6">
            {error}
          </p>
        ) : null}
      </section>
      <ApiReference apiKey={key} />
    </>
  );
}

function CreateKeyButton({ onCreated }: { onCreated: (secret: string) => void }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.partner.keys.create.mutationOptions({ onSuccess: (r) => onCreated(r.secret) }));
  return (
    <div>
      <Button type="button" size="md" disabled={create.isPending} onClick={() => create.mutate({ environment: "sandbox", name: "API reference" })}>
        {create.isPending ? "Creating…" : "Create a sandbox key"}
      </Button>
      {create.error ? (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {create.error.message}
        </p>
      ) : null}
    </div>
  );
}

"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { confirmEnrolmentAction, type EnrolmentStart, startEnrolmentAction } from "@/server/auth/actions";
import { RecoveryCodes } from "./recovery-codes";

/**
 * Enrolment of an admin's authenticator: the secret is made on the server when asked for and
 * shown here once (QR code and text); a code from the app turns it on and brings the recovery
 * codes, shown once. The admin layout renders this for every /admin path until it is done, with
 * the address set to /admin/security.
 */
export function EnrolSecondFactor({ email }: { email: string }) {
  const [started, setStarted] = useState<Extract<EnrolmentStart, { ok: true }> | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (window.location.pathname !== "/admin/security") window.history.replaceState(null, "", "/admin/security");
  }, []);

  if (codes) {
    return (
      <section aria-labelledby="enrolled-title" className="space-y-4">
        <h2 id="enrolled-title" className="text-lg font-semibold">
          Two-step verification is on
        </h2>
        <RecoveryCodes codes={codes} />
        {/* A full load: the admin layout is rendered again for a session past the second factor. */}
        <a href="/admin" className="inline-flex h-10 items-center rounded-md bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700">
          Continue to the admin dashboard
        </a>
      </section>
    );
  }

  if (!started) {
    return (
      <section aria-labelledby="enrol-title" className="space-y-4">
        <h2 id="enrol-title" className="text-lg font-semibold">
          Set up two-step verification
        </h2>
        <p className="text-sm text-slate-700">
          The admin dashboard moves money and changes partners&apos; access: every administrator signs in with a password and a code from an authenticator app
          (Google Authenticator, 1Password, Authy…). Set it up once for {email}.
        </p>
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        <Button
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            const result = await startEnrolmentAction();
            setBusy(false);
            if (result.ok) setStarted(result);
            else setError(result.error);
          }}
        >
          {busy ? "Preparing…" : "Set up authenticator"}
        </Button>
      </section>
    );
  }

  return (
    <section aria-labelledby="scan-title" className="space-y-5">
      <h2 id="scan-title" className="text-lg font-semibold">
        Scan the QR code with your authenticator app
      </h2>
      <p className="text-sm text-slate-700">This code and secret are shown only now: if you leave the page, setting up starts again with a new one.</p>
      <div className="flex flex-col gap-5 sm:flex-row sm:items-start">
        {/* biome-ignore lint/performance/noImgElement: an inline SVG data URL made on the server, not an asset to optimise */}
        <img
          src={`data:image/svg+xml;utf8,${encodeURIComponent(started.qrSvg)}`}
          alt="QR code holding the authenticator secret for Steller"
          width={192}
          height={192}
          className="rounded-md border border-slate-200 bg-white"
        />
        <div className="min-w-0 space-y-2">
          <p className="text-sm font-medium text-slate-800">Can&apos;t scan it? Enter this secret in the app:</p>
          <code data-testid="totp-secret" className="block rounded-md bg-slate-100 px-3 py-2 font-mono text-sm break-all text-slate-900">
            {started.secret}
          </code>
          <CopyButton value={started.secret} label="Copy secret" />
        </div>
      </div>
      <form
        className="max-w-xs space-y-3"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          const result = await confirmEnrolmentAction(code);
          setBusy(false);
          if (result.ok) setCodes(result.recoveryCodes);
          else setError(result.error);
        }}
      >
        <Field id="enrol-code" label="6-digit code from the app" error={error}>
          <input
            id="enrol-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            maxLength={10}
            className={inputClasses(Boolean(error))}
            {...describedBy("enrol-code", { error })}
          />
        </Field>
        <Button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Verify and turn on"}
        </Button>
      </form>
    </section>
  );
}

"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";

const MIN = 10;
const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

/** Changes the signed-in user's password; every other session of the user is signed out. */
export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(
    trpc.me.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNext("");
        setConfirm("");
      },
    }),
  );
  // Refusals that name a field (a wrong current password, a too-short new one) are shown beside it.
  const fieldErrors = change.error?.data?.fieldErrors ?? {};
  const currentError = fieldErrors.currentPassword?.[0];
  const newError = fieldErrors.newPassword?.[0];
  return (
    <form
      className="max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-6"
      onSubmit={(e) => {
        e.preventDefault();
        setMismatch(next !== confirm);
        if (next === confirm) change.mutate({ currentPassword: current, newPassword: next });
      }}
    >
      <label className="block">
        <span className="text-sm font-medium text-slate-700">Current password</span>
        <input
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={currentError ? true : undefined}
          aria-describedby={currentError ? "current-password-error" : undefined}
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          className={input}
        />
      </label>
      {currentError && (
        <p id="current-password-error" role="alert" className="-mt-2 text-sm text-red-700">
          {currentError}
        </p>
      )}
      <div>
        <label className="block">
          <span className="text-sm font-medium text-slate-700">New password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN}
            maxLength={200}
            aria-invalid={newError ? true : undefined}
            aria-describedby={newError ? "new-password-hint new-password-error" : "new-password-hint"}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            className={input}
          />
        </label>
        <p id="new-password-hint" className="mt-1 text-xs text-slate-500">
          At least {MIN} characters.
        </p>
        {newError && (
          <p id="new-password-error" role="alert" className="mt-1 text-sm text-red-700">
            {newError}
          </p>
        )}
      </div>
      <label className="block">
        <span className="text-sm font-medium text-slate-700">Repeat the new password</span>
        <input type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} className={input} />
      </label>
      {mismatch && (
        <p role="alert" className="text-sm text-red-700">
          The new passwords do not match.
        </p>
      )}
      {change.error && !currentError && !newError && (
        <p role="alert" className="text-sm text-red-700">
          {change.error.message}
        </p>
      )}
      {change.isSuccess && (
        <p role="status" className="text-sm text-green-700">
          Password changed. Your other sessions were signed out; this one stays signed in.
        </p>
      )}
      <button
        type="submit"
        disabled={change.isPending}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
      >
        Change password
      </button>
    </form>
  );
}

"use client";

import { CopyButton } from "@/components/ui/copy-button";

/** Recovery codes, shown once: each signs in once instead of an authenticator code. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-medium text-amber-950">
        Save these recovery codes somewhere safe now: they are shown only once. Each one signs you in once if you lose your authenticator.
      </p>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-2 font-mono text-sm text-slate-900 sm:grid-cols-5">
        {codes.map((c) => (
          <li key={c} className="rounded bg-white px-2 py-1 text-center">
            {c}
          </li>
        ))}
      </ul>
      <CopyButton value={codes.join("\n")} label="Copy recovery codes" />
    </div>
  );
}

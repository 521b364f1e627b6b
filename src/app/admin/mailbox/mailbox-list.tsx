"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";

/**
 * The list of emails and the one open: its HTML in a sandboxed iframe (srcDoc, no scripts, no
 * same-origin), so an email's markup can never run in the admin's page; the text version beside it.
 */
export function MailboxList() {
  const trpc = useTRPC();
  const mail = useQuery(trpc.onboarding.admin.mailbox.queryOptions({ limit: 100 }));
  const [openId, setOpenId] = useState<string | null>(null);
  if (mail.isPending) return <p className="text-sm text-slate-600">Loading…</p>;
  if (mail.error)
    return (
      <p className="text-sm text-red-700" role="alert">
        {mail.error.message}
      </p>
    );
  if (mail.data.length === 0) return <p className="text-sm text-slate-600">No email yet.</p>;
  const open = mail.data.find((m) => m.id === openId) ?? null;
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Emails">
        {mail.data.map((m) => (
          <li key={m.id}>
            <button
              type="button"
              onClick={() => setOpenId(m.id)}
              aria-current={m.id === openId ? "true" : undefined}
              className={`block w-full px-4 py-3 text-left text-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-brand-100 ${m.id === openId ? "bg-slate-50" : ""}`}
            >
              <span className="block font-medium text-slate-900">{m.subject}</span>
              <span className="block text-xs text-slate-600">
                to {m.to} · {m.kind ?? "email"} · {m.transport ?? "mailbox"} · {new Date(m.createdAt).toISOString().replace("T", " ").slice(0, 19)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div>
        {open ? (
          <article className="rounded-lg border border-slate-200 bg-white" aria-label={`Email: ${open.subject}`}>
            <header className="border-b border-slate-100 px-4 py-3 text-sm">
              <p className="font-medium">{open.subject}</p>
              <p className="text-xs text-slate-600">to {open.to}</p>
            </header>
            {open.html ? (
              <iframe title={`HTML of: ${open.subject}`} sandbox="" srcDoc={open.html} className="h-[420px] w-full" referrerPolicy="no-referrer" />
            ) : null}
            <details className="border-t border-slate-100 px-4 py-3 text-sm">
              <summary className="cursor-pointer text-slate-700">Text version</summary>
              <pre className="mt-2 whitespace-pre-wrap break-words text-xs text-slate-800">{open.text}</pre>
            </details>
          </article>
        ) : (
          <p className="text-sm text-slate-600">Choose an email to read it.</p>
        )}
      </div>
    </div>
  );
}

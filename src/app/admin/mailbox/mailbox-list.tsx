"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { useTRPC } from "@/trpc/react";

/**
 * The list of emails and the one open: its HTML in a sandboxed iframe (srcDoc, no scripts, no
 * same-origin), so an email's markup can never run in the admin's page; the text version beside it.
 */
export function MailboxList() {
  const trpc = useTRPC();
  const mail = useQuery(trpc.onboarding.admin.mailbox.queryOptions({ limit: 100 }));
  const [openId, setOpenId] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [kind, setKind] = useState("");
  const searchId = useId();
  const kindId = useId();
  if (mail.isPending) return <Skeleton className="h-40" />;
  if (mail.error) return <ErrorState message={mail.error.message} onRetry={() => mail.refetch()} />;
  if (mail.data.length === 0) return <EmptyState title="No email yet">Emails the app sends (invitations, alerts, go-live decisions…) appear here.</EmptyState>;
  const kinds = [...new Set(mail.data.map((m) => m.kind ?? "email"))].sort();
  const q = search.trim().toLowerCase();
  const shown = mail.data.filter((m) => (!kind || (m.kind ?? "email") === kind) && (!q || `${m.to} ${m.subject} ${m.kind ?? ""}`.toLowerCase().includes(q)));
  const open = mail.data.find((m) => m.id === openId) ?? null;
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="min-w-0">
        <div className="mb-3 flex flex-wrap items-end gap-3">
          <div className="min-w-0 flex-1">
            <label htmlFor={searchId} className="block text-sm font-medium text-slate-700">
              Search emails
            </label>
            <input
              id={searchId}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Recipient, subject or kind"
              className={inputClasses()}
            />
          </div>
          <div>
            <label htmlFor={kindId} className="block text-sm font-medium text-slate-700">
              Kind
            </label>
            <select id={kindId} value={kind} onChange={(e) => setKind(e.target.value)} className={inputClasses()}>
              <option value="">All kinds</option>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <Button variant="secondary" onClick={() => mail.refetch()} disabled={mail.isFetching}>
            {mail.isFetching ? "Refreshing…" : "Refresh"}
          </Button>
        </div>
        <p className="mb-2 text-xs text-slate-600" aria-live="polite">
          {shown.length} of {mail.data.length} latest emails
        </p>
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Emails">
          {shown.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                onClick={() => setOpenId(m.id)}
                aria-current={m.id === openId ? "true" : undefined}
                className={`block w-full px-4 py-3 text-left text-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-brand-100 ${m.id === openId ? "bg-slate-50" : ""}`}
              >
                <span className="block font-medium text-slate-900">{m.subject}</span>
                <span className="block text-xs text-slate-600">
                  to {m.to} · {m.kind ?? "email"} · {m.transport ?? "mailbox"} · <RelativeTime value={m.createdAt} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
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

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useId, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { DataTable } from "@/components/ui/data-table";
import { inputClasses } from "@/components/ui/field";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Token = RouterOutputs["admin"]["audit"]["tokens"]["list"][number];

/** Issue a token: its secret is shown here once, never again. */
function IssueToken({ onIssued }: { onIssued: () => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<{ name: string; secret: string } | null>(null);
  const issue = useMutation(
    trpc.admin.audit.tokens.issue.mutationOptions({
      onSuccess: (r) => {
        setIssued({ name: r.token.name, secret: r.secret });
        setName("");
        onIssued();
      },
    }),
  );
  const fieldError = issue.error?.data?.fieldErrors?.name?.[0] ?? (issue.error ? issue.error.message : undefined);
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
        Issue an admin API token
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        For scripts that read the audit log: <code className="font-mono text-xs">Authorization: Bearer stlr_admin_…</code> on{" "}
        <code className="font-mono text-xs">GET /api/admin/audit-log</code>. Only its SHA-256 is stored: copy the secret when it is shown.
      </p>
      <form
        className="mt-3 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          issue.mutate({ name });
        }}
      >
        <div className="text-sm">
          <label htmlFor={`${id}-name`} className="block font-medium text-slate-800">
            Token name
          </label>
          <input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="SIEM export"
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${id}-error` : undefined}
            className={`${inputClasses(Boolean(fieldError))} mt-1 w-64`}
          />
        </div>
        <Button type="submit" disabled={issue.isPending}>
          {issue.isPending ? "Issuing…" : "Issue token"}
        </Button>
      </form>
      {fieldError && (
        <p id={`${id}-error`} role="alert" className="mt-2 text-sm text-red-700">
          {fieldError}
        </p>
      )}
      {issued && (
        <div role="status" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="admin-token-secret">
          <p className="font-medium text-amber-900">Token “{issued.name}” issued. Copy it now: it will not be shown again.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="rounded bg-white px-2 py-1 font-mono text-xs break-all text-slate-900">{issued.secret}</code>
            <CopyButton value={issued.secret} label="Copy token" />
            <Button variant="ghost" size="sm" onClick={() => setIssued(null)}>
              I have copied it
            </Button>
          </div>
        </div>
      )}
    </section>
  );
}

/** The admin API tokens: issue (shown once), list with last use, revoke with a reason. */
export function AdminTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const tokens = useQuery(trpc.admin.audit.tokens.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.audit.tokens.list.queryKey() });
  const revoke = useMutation(trpc.admin.audit.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const columns: ColumnDef<Token, unknown>[] = [
    { id: "name", header: "Name", cell: ({ row }) => row.original.name },
    { id: "start", header: "Token", cell: ({ row }) => <span className="font-mono text-xs">{row.original.start}…</span> },
    { id: "created", header: "Issued", cell: ({ row }) => <span className="text-xs">{dateTime(row.original.createdAt, locale)}</span> },
    {
      id: "used",
      header: "Last used",
      cell: ({ row }) => <span className="text-xs">{row.original.lastUsedAt ? dateTime(row.original.lastUsedAt, locale) : "never"}</span>,
    },
    {
      id: "status",
      header: "Status",
      cell: ({ row }) => (row.original.revokedAt ? <Badge tone="danger">revoked</Badge> : <Badge tone="success">active</Badge>),
    },
    {
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) =>
        row.original.revokedAt ? null : (
          <ReasonDialog
            trigger={
              <Button variant="secondary" size="sm" aria-label={`Revoke token ${row.original.name}`}>
                Revoke
              </Button>
            }
            title={`Revoke “${row.original.name}”?`}
            consequence={`Token ${row.original.start}… stops working at once: requests with it get 401. This cannot be undone; issue a new token if it is still needed.`}
            optional
            confirmLabel="Revoke token"
            danger
            onConfirm={(reason) => revoke.mutateAsync({ id: row.original.id, reason: reason || undefined })}
          />
        ),
    },
  ];
  return (
    <div className="space-y-4">
      <IssueToken onIssued={refresh} />
      <DataTable
        caption="Admin API tokens"
        columns={columns}
        rows={tokens.data}
        loading={tokens.isLoading}
        error={tokens.error?.message}
        onRetry={() => tokens.refetch()}
        nextCursor={null}
        rowTestId={(r) => `admin-token-${r.id}`}
        empty="No admin API token yet."
      />
    </div>
  );
}

"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

/** API keys: list (prefixes only), create (secret shown once), revoke. */
export function KeysManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.partner.keys.list.queryOptions());
  const [environment, setEnvironment] = useState<"sandbox" | "live">(useEnvironment().environment);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ secret: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.partner.keys.list.queryKey() });
  const create = useMutation(
    trpc.partner.keys.create.mutationOptions({
      onSuccess: (r) => {
        setCreated({ secret: r.secret });
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.partner.keys.revoke.mutationOptions({ onSuccess: () => void refresh() }));

  return (
    <div className="max-w-4xl space-y-6">
      <form
        className="flex items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ environment, name });
        }}
      >
        <label className="flex-1">
          <span className="text-sm font-medium text-slate-700">Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Production server"
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </label>
        <label>
          <span className="text-sm font-medium text-slate-700">Environment</span>
          <select
            value={environment}
            onChange={(e) => setEnvironment(e.target.value as "sandbox" | "live")}
            className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
          >
            <option value="sandbox">Sandbox (test)</option>
            <option value="live">Live</option>
          </select>
        </label>
        <button
          type="submit"
          disabled={create.isPending}
          className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60"
        >
          Create key
        </button>
      </form>

      {created && (
        <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4">
          <p className="text-sm font-medium text-emerald-800">Copy your new key now: it will not be shown again.</p>
          <code data-testid="new-key" className="mt-2 block break-all rounded bg-white px-3 py-2 font-mono text-sm">
            {created.secret}
          </code>
        </div>
      )}
      {create.error && <p className="text-sm text-red-600">{create.error.message}</p>}

      <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wider text-slate-500">
          <tr>
            <th className="px-4 py-3">Key</th>
            <th className="px-4 py-3">Name</th>
            <th className="px-4 py-3">Status</th>
            <th className="px-4 py-3">Last used</th>
            <th className="px-4 py-3" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {keys.data?.map((k) => (
            <tr key={k.id}>
              <td className="px-4 py-3 font-mono text-xs">{k.start}…</td>
              <td className="px-4 py-3">{k.name ?? <span className="text-slate-400">—</span>}</td>
              <td className="px-4 py-3">{k.status}</td>
              <td className="px-4 py-3 text-slate-600">{k.lastUsedAt ? k.lastUsedAt.toISOString().slice(0, 16).replace("T", " ") : "never"}</td>
              <td className="px-4 py-3 text-right">
                {k.status !== "revoked" && (
                  <button
                    type="button"
                    onClick={() => {
                      if (confirm(`Revoke ${k.start}…? Requests with it will fail at once.`)) revoke.mutate({ keyId: k.id });
                    }}
                    className="text-sm font-medium text-red-600 hover:text-red-700"
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.isLoading && <p className="text-sm text-slate-500">Loading keys…</p>}
    </div>
  );
}

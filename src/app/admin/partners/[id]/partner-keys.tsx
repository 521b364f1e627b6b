"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { Select } from "@/components/ui/select";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

const NAME_HINT = "Optional: what the key is for, e.g. “Production server”.";
const ALLOWLIST_HINT = "Addresses or CIDR ranges, like 203.0.113.0/24. Empty: any address.";

type Key = RouterOutputs["admin"]["partners"]["get"]["keys"][number];

function IssueKeyDialog({ partnerId, live, onIssued }: { partnerId: string; live: boolean; onIssued: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [environment, setEnvironment] = useState<"sandbox" | "live">("sandbox");
  const [name, setName] = useState("");
  const [allowlist, setAllowlist] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<string | null>(null);
  const issue = useMutation(trpc.admin.keys.issue.mutationOptions());
  const reset = () => {
    setEnvironment("sandbox");
    setName("");
    setAllowlist("");
    setErrors({});
    setSecret(null);
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm">Issue API key</Button>
      </DialogTrigger>
      <DialogContent
        title={secret ? "Copy the secret now" : "Issue an API key"}
        description={
          secret
            ? "This is the only time the full key is shown: it is stored as a hash. Hand it to the partner over a safe channel."
            : "The key works for this partner at once. Live keys need live access (an approved go-live request)."
        }
      >
        {secret ? (
          <div className="space-y-3">
            <p className="rounded-md border border-amber-200 bg-amber-50 p-3 font-mono text-sm break-all text-slate-900" data-testid="issued-secret">
              {secret}
            </p>
            <div className="flex justify-end gap-2">
              <CopyButton value={secret} label="Copy secret" />
              <Button onClick={() => setOpen(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form
            noValidate
            className="space-y-3"
            onSubmit={async (e) => {
              e.preventDefault();
              setErrors({});
              try {
                const ipAllowlist = allowlist
                  .split(/[\n,]/)
                  .map((s) => s.trim())
                  .filter(Boolean);
                const res = await issue.mutateAsync({ partnerId, environment, name: name.trim() || undefined, ipAllowlist });
                setSecret(res.secret);
                await onIssued();
              } catch (err) {
                const data = (err as { data?: { fieldErrors?: Record<string, string[]>; formErrors?: string[] } }).data;
                const fields = Object.fromEntries(Object.entries(data?.fieldErrors ?? {}).map(([k, v]) => [k, v[0] ?? ""]));
                setErrors(Object.keys(fields).length ? fields : { form: data?.formErrors?.[0] ?? (err instanceof Error ? err.message : "That did not work.") });
              }
            }}
          >
            <Field id={`${id}-env`} label="Environment" error={errors.environment}>
              <Select
                id={`${id}-env`}
                label="Environment"
                className="w-full"
                value={environment}
                onValueChange={(v) => setEnvironment(v === "live" ? "live" : "sandbox")}
                options={[
                  { value: "sandbox", label: "Sandbox (test)" },
                  { value: "live", label: live ? "Live" : "Live (needs live access)" },
                ]}
              />
            </Field>
            <Field id={`${id}-name`} label="Name" hint={NAME_HINT} error={errors.name}>
              <input
                id={`${id}-name`}
                className={inputClasses(!!errors.name)}
                value={name}
                onChange={(e) => setName(e.target.value)}
                {...describedBy(`${id}-name`, { hint: NAME_HINT, error: errors.name })}
              />
            </Field>
            <Field id={`${id}-ips`} label="IP allowlist (one per line)" hint={ALLOWLIST_HINT} error={errors.ipAllowlist}>
              <textarea
                id={`${id}-ips`}
                rows={3}
                className={`${inputClasses(!!errors.ipAllowlist)} font-mono`}
                value={allowlist}
                onChange={(e) => setAllowlist(e.target.value)}
                {...describedBy(`${id}-ips`, { hint: ALLOWLIST_HINT, error: errors.ipAllowlist })}
              />
            </Field>
            {errors.form && (
              <p role="alert" className="text-sm text-red-700">
                {errors.form}
              </p>
            )}
            <div className="flex justify-end gap-2 pt-1">
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={issue.isPending}>
                {issue.isPending ? "Issuing…" : "Issue key"}
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

const STATUS_TONE = { active: "success", rotating: "brand", expired: "neutral", revoked: "danger" } as const;

/** The partner's keys (both environments) with last use; issue one, revoke one. */
export function PartnerKeys({ partnerId, live, keys }: { partnerId: string; live: boolean; keys: Key[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.admin.keys.revoke.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.partners.get.queryKey({ partnerId }) });
  return (
    <div>
      <div className="flex justify-end">
        <IssueKeyDialog partnerId={partnerId} live={live} onIssued={refresh} />
      </div>
      {keys.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">No API key yet.</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">API keys</caption>
            <thead className="text-left text-xs tracking-wider text-slate-600 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Key
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Status
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Allowlist
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Last used
                </th>
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((k) => (
                <tr key={k.id} data-testid={`key-row-${k.id}`}>
                  <td className="py-2 pr-3">
                    <span className="font-mono text-xs">{k.start}…</span>
                    <span className="block text-xs text-slate-600">
                      {k.mode} · {k.name ?? "unnamed"}
                    </span>
                  </td>
                  <td className="py-2 pr-3">
                    <Badge tone={STATUS_TONE[k.status]}>{k.status}</Badge>
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs">{k.ipAllowlist.length ? k.ipAllowlist.join(", ") : "any"}</td>
                  <td className="py-2 pr-3 text-xs whitespace-nowrap text-slate-700">{k.lastUsedAt ? <RelativeTime value={k.lastUsedAt} /> : "never"}</td>
                  <td className="py-2 text-right">
                    {k.status !== "revoked" && (
                      <ReasonDialog
                        trigger={
                          <Button variant="ghost" size="sm" aria-label={`Revoke key ${k.start}`}>
                            Revoke
                          </Button>
                        }
                        title={`Revoke key ${k.start}…`}
                        consequence="The key stops working at once: requests with it get 401 revoked_api_key. This cannot be undone; issue a new key instead."
                        reasonLabel="Reason (optional)"
                        optional
                        confirmLabel="Revoke key"
                        danger
                        onConfirm={async (reason) => {
                          await revoke.mutateAsync({ partnerId, keyId: k.id, reason: reason || undefined });
                          toast.success(`Key ${k.start}… revoked.`);
                          await refresh();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

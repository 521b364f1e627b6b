"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus, RefreshCw, Trash2 } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { ConfirmDialog, Sheet } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { RelativeTime } from "@/components/ui/relative-time";
import { Select } from "@/components/ui/select";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { createKeyInput, KEY_EXPIRY_CHOICES, MAX_ALLOWLIST_ENTRIES, ROTATION_OVERLAPS } from "@/lib/schemas/api-keys";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

type Key = RouterOutputs["partner"]["keys"]["list"][number];

const BADGES: Record<Key["badges"][number], { label: string; tone: BadgeTone; hint: string }> = {
  active: { label: "active", tone: "success", hint: "Requests with this key are accepted." },
  rotating: { label: "rotating", tone: "brand", hint: "Replaced by a rotation: works until its overlap ends." },
  expiring_soon: { label: "expiring soon", tone: "warning", hint: "Stops working within 7 days." },
  expired: { label: "expired", tone: "neutral", hint: "Requests with this key get 401 expired_api_key." },
  revoked: { label: "revoked", tone: "danger", hint: "Requests with this key get 401 revoked_api_key." },
  rate_limited: { label: "rate-limited recently", tone: "warning", hint: "Some requests got 429 in the last 24 hours." },
};

/** The new secret, once: copy it, then say it is stored before the panel closes. */
function SecretOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [stored, setStored] = useState(false);
  return (
    <div role="status" className="space-y-3 rounded-lg border border-emerald-200 bg-emerald-50 p-4">
      <p className="text-sm font-medium text-emerald-900">Copy your new key now: it will not be shown again.</p>
      <code data-testid="new-key" className="block rounded bg-white px-3 py-2 font-mono text-sm break-all">
        {secret}
      </code>
      <CopyButton value={secret} label="Copy key" />
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="checkbox" checked={stored} onChange={(e) => setStored(e.target.checked)} className="size-4" />I have stored it
      </label>
      <Button onClick={onDone} disabled={!stored}>
        Done
      </Button>
    </div>
  );
}

/** One CIDR range or address per row; rows are added and removed; each row's error under it. */
function AllowlistEditor({ form }: { form: ReturnType<typeof useKeyForm> }) {
  const rows = (form.watch("ipAllowlist") ?? []) as string[];
  const errors = form.formState.errors.ipAllowlist as unknown as Array<{ message?: string } | undefined> & { message?: string };
  const set = (next: string[]) => form.setValue("ipAllowlist", next, { shouldValidate: form.formState.isSubmitted });
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">IP allowlist</legend>
      <p id="allowlist-hint" className="text-xs text-slate-600">
        {rows.length === 0 ? "Any IP address may use this key. " : ""}Add an IPv4/IPv6 address or CIDR range per row (like 203.0.113.0/24).
      </p>
      {rows.map((value, i) => {
        const id = `allowlist-${i}`;
        const error = errors?.[i]?.message;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list, edited in place
          <div key={i}>
            <div className="flex gap-2">
              <label htmlFor={id} className="sr-only">
                IP range {i + 1}
              </label>
              <input
                id={id}
                value={value}
                onChange={(e) => set(rows.map((r, j) => (j === i ? e.target.value : r)))}
                placeholder="203.0.113.0/24"
                autoComplete="off"
                className={inputClasses(!!error)}
                {...describedBy(id, { error })}
              />
              <Button variant="ghost" aria-label={`Remove allowlist row ${i + 1}`} onClick={() => set(rows.filter((_, j) => j !== i))}>
                <Trash2 aria-hidden className="size-4" />
              </Button>
            </div>
            {error && (
              <p id={`${id}-error`} className="mt-1 text-sm text-red-700" data-field-error={id}>
                {error}
              </p>
            )}
          </div>
        );
      })}
      {errors?.message && <p className="text-sm text-red-700">{errors.message}</p>}
      <Button variant="secondary" size="sm" onClick={() => set([...rows, ""])} disabled={rows.length >= MAX_ALLOWLIST_ENTRIES}>
        <Plus aria-hidden className="size-4" /> Add IP range
      </Button>
    </fieldset>
  );
}

function useKeyForm(environment: "sandbox" | "live") {
  return useZodForm(createKeyInput, { environment, name: "", ipAllowlist: [], expiry: "never", expiresOn: "" });
}

/** The create form in a side panel; after success it shows the secret once. */
function CreateKeySheet({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange: (o: boolean) => void; onCreated: () => void }) {
  const trpc = useTRPC();
  const { environment } = useEnvironment();
  const form = useKeyForm(environment);
  const create = useMutation(trpc.partner.keys.create.mutationOptions());
  const [secret, setSecret] = useState<string | null>(null);
  const expiry = form.watch("expiry");
  const expiresOnError = form.formState.errors.expiresOn?.message;
  const close = () => {
    setSecret(null);
    form.reset({ environment, name: "", ipAllowlist: [], expiry: "never", expiresOn: "" });
    create.reset();
    onOpenChange(false);
  };
  const submit = form.handleSubmit(async (input) => {
    try {
      const r = await create.mutateAsync({ ...input, environment });
      setSecret(r.secret);
      onCreated();
    } catch (e) {
      applyServerErrors(form, e);
    }
  });
  return (
    <Sheet
      open={open}
      onOpenChange={(o) => (o ? onOpenChange(true) : secret ? undefined : close())}
      title={`Create a ${environment === "live" ? "live" : "test"} API key`}
      description={
        environment === "live" ? "A stlr_live_… key: it spends your live wallet." : "A stlr_test_… key: sandbox orders with fake money from the mock supplier."
      }
    >
      {secret ? (
        <SecretOnce secret={secret} onDone={close} />
      ) : (
        <form
          noValidate
          className="space-y-5"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <FormInput form={form} name="name" label="Key name" placeholder="e.g. Production server" hint="To recognise the key later." autoComplete="off" />
          <AllowlistEditor form={form} />
          <div className="space-y-3">
            <div className="text-sm">
              <span className="block font-medium text-slate-800" id="expiry-label">
                Expiry
              </span>
              <Select
                id="expiry"
                label="Expiry"
                className="mt-1.5 w-48"
                value={expiry ?? "never"}
                onValueChange={(v) => form.setValue("expiry", v as "never", { shouldValidate: form.formState.isSubmitted })}
                options={KEY_EXPIRY_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
              />
            </div>
            {expiry === "date" && (
              <Field id="f-expiresOn" label="Expiry date" hint="The key stops working at 00:00 UTC that day." error={expiresOnError}>
                <input
                  id="f-expiresOn"
                  type="date"
                  className={`${inputClasses(!!expiresOnError)} w-48`}
                  {...describedBy("f-expiresOn", { hint: "The key stops working at 00:00 UTC that day.", error: expiresOnError })}
                  {...form.register("expiresOn")}
                />
              </Field>
            )}
          </div>
          <FormError form={form as never} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create key"}
            </Button>
          </div>
        </form>
      )}
    </Sheet>
  );
}

/** Rotation: choose how long the old key keeps working, confirm, then the new secret once. */
function RotateSheet({ target, onClose, onRotated }: { target: Key | null; onClose: () => void; onRotated: () => void }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const rotate = useMutation(trpc.partner.keys.rotate.mutationOptions());
  const [overlap, setOverlap] = useState<string>("86400");
  const [secret, setSecret] = useState<string | null>(null);
  const close = () => {
    setSecret(null);
    setOverlap("86400");
    rotate.reset();
    onClose();
  };
  if (!target) return null;
  const seconds = Number(overlap);
  let until = new Date(Date.now() + seconds * 1000);
  if (target.expiresAt && target.expiresAt < until) until = target.expiresAt;
  const consequence =
    seconds === 0
      ? `The old key ${target.start}… stops working now: requests with it will fail with 401. The new secret is shown once.`
      : `The old key ${target.start}… keeps working until ${dateTime(until, locale)}, then fails with 401. The new secret is shown once.`;
  return (
    <Sheet
      open
      onOpenChange={(o) => !o && !secret && close()}
      title={`Rotate key ${target.start}…`}
      description="A new secret with the same name, allowlist and expiry."
    >
      {secret ? (
        <SecretOnce secret={secret} onDone={close} />
      ) : (
        <div className="space-y-5">
          <div className="text-sm">
            <span className="block font-medium text-slate-800">Overlap</span>
            <Select
              id="rotate-overlap"
              label="Overlap"
              className="mt-1.5 w-64"
              value={overlap}
              onValueChange={setOverlap}
              options={ROTATION_OVERLAPS.map((o) => ({ value: String(o.seconds), label: o.label }))}
            />
            <p className="mt-1.5 text-xs text-slate-600">How long the old key keeps working, so you can deploy the new one.</p>
          </div>
          <ConfirmDialog
            title={`Rotate key ${target.start}…?`}
            consequence={consequence}
            confirmLabel="Rotate key"
            onConfirm={async () => {
              const r = await rotate.mutateAsync({ keyId: target.id, overlapSeconds: seconds });
              setSecret(r.secret);
              onRotated();
            }}
            trigger={<Button>Rotate key…</Button>}
          />
        </div>
      )}
    </Sheet>
  );
}

/** API keys of the environment shown: status badges, last use, create, rotate and revoke. */
export function KeysManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const locale = useLocale();
  const { environment } = useEnvironment();
  const keys = useQuery(trpc.partner.keys.list.queryOptions({ environment }));
  const goLive = useQuery(trpc.onboarding.goLive.status.queryOptions());
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Key | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.partner.keys.list.queryKey() });
  const revoke = useMutation(trpc.partner.keys.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  const liveBlocked = environment === "live" && goLive.data?.live !== true;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white p-4">
        <p className="text-sm text-slate-700">
          Showing <strong>{environment === "live" ? "live" : "test (sandbox)"}</strong> keys. Switch the environment at the top to see the others.
        </p>
        <Button onClick={() => setCreating(true)} disabled={liveBlocked || goLive.isLoading} aria-describedby={liveBlocked ? "live-blocked" : undefined}>
          <KeyRound aria-hidden className="size-4" /> Create API key
        </Button>
        {liveBlocked && (
          <p id="live-blocked" className="w-full text-sm text-amber-800">
            Live keys are available once your go-live request is approved.{" "}
            <Link href="/dashboard/go-live" className="font-medium underline">
              Request live access
            </Link>
          </p>
        )}
      </div>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <caption className="sr-only">{environment} API keys</caption>
          <thead className="border-b border-slate-100 text-left text-xs tracking-wider text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">
                Key
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Name
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Status
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Last used
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                Expires
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                IP allowlist
              </th>
              <th scope="col" className="px-4 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {keys.isLoading &&
              [0, 1, 2].map((i) => (
                <tr key={i}>
                  <td colSpan={7} className="px-4 py-3">
                    <Skeleton className="h-4 w-full" />
                  </td>
                </tr>
              ))}
            {keys.data?.map((k) => (
              <tr key={k.id} data-testid={`key-row-${k.start}`}>
                <td className="px-4 py-2 font-mono text-xs whitespace-nowrap">{k.start}…</td>
                <td className="px-4 py-2">{k.name ?? <span className="text-slate-500">unnamed</span>}</td>
                <td className="px-4 py-2">
                  <span className="flex flex-wrap gap-1">
                    {k.badges.map((b) => (
                      <Badge key={b} tone={BADGES[b].tone} title={b === "rate_limited" ? `${k.rateLimited24h} × 429 in the last 24 hours` : BADGES[b].hint}>
                        {BADGES[b].label}
                      </Badge>
                    ))}
                  </span>
                </td>
                <td className="px-4 py-2 whitespace-nowrap text-slate-700">{k.lastUsedAt ? <RelativeTime value={k.lastUsedAt} /> : "never"}</td>
                <td className="px-4 py-2 whitespace-nowrap text-slate-700">{k.expiresAt ? dateTime(k.expiresAt, locale) : "never"}</td>
                <td className="px-4 py-2 text-xs text-slate-700">{k.ipAllowlist.length ? k.ipAllowlist.join(", ") : "any address"}</td>
                <td className="px-4 py-2 text-right whitespace-nowrap">
                  {(k.status === "active" || k.status === "rotating") && (
                    <span className="inline-flex gap-1">
                      {k.status === "active" && (
                        <Button variant="ghost" size="sm" aria-label={`Rotate key ${k.start}`} onClick={() => setRotating(k)}>
                          <RefreshCw aria-hidden className="size-4" /> Rotate
                        </Button>
                      )}
                      <ConfirmDialog
                        title={`Revoke key ${k.start}…?`}
                        consequence="Requests with this key will fail with 401 immediately. This cannot be undone."
                        confirmLabel="Revoke key"
                        danger
                        onConfirm={async () => {
                          await revoke.mutateAsync({ keyId: k.id });
                          toast.success(`Key ${k.start}… revoked.`);
                        }}
                        trigger={
                          <Button variant="ghost" size="sm" className="text-red-700 hover:text-red-800" aria-label={`Revoke key ${k.start}`}>
                            <Trash2 aria-hidden className="size-4" /> Revoke
                          </Button>
                        }
                      />
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {keys.error && <ErrorState message={keys.error.message} onRetry={() => keys.refetch()} />}
        {keys.data?.length === 0 && <EmptyState title={`No ${environment === "live" ? "live" : "test"} keys yet`}>Create one to call the API.</EmptyState>}
      </div>

      <CreateKeySheet open={creating} onOpenChange={setCreating} onCreated={() => void refresh()} />
      <RotateSheet target={rotating} onClose={() => setRotating(null)} onRotated={() => void refresh()} />
    </div>
  );
}

"use client";

import { KeyRound } from "lucide-react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";

const ENDPOINT_TONES: Record<string, BadgeTone> = { active: "success", paused: "neutral", disabled: "danger" };
const DELIVERY_TONES: Record<string, BadgeTone> = { succeeded: "success", failed: "warning", exhausted: "danger", pending: "neutral" };

export function EndpointStatusBadge({ status }: { status: string }) {
  return <Badge tone={ENDPOINT_TONES[status] ?? "neutral"}>{status}</Badge>;
}

export function DeliveryStatusBadge({ status }: { status: string }) {
  return <Badge tone={DELIVERY_TONES[status] ?? "neutral"}>{status}</Badge>;
}

/** A signing secret shown once, with a copy button; "Done" hides it for good. */
export function SecretOnce({ title, secret, onDone, extra }: { title: string; secret: string; onDone: () => void; extra?: React.ReactNode }) {
  return (
    <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-5">
      <p className="flex items-center gap-2 text-sm font-medium text-emerald-900">
        <KeyRound aria-hidden className="size-4" /> {title}
      </p>
      <p className="mt-1 text-sm text-emerald-900">Copy the signing secret now: it is not shown again. Verify each delivery&apos;s signature with it.</p>
      <code data-testid="signing-secret" className="mt-3 block rounded bg-white px-3 py-2 font-mono text-sm break-all">
        {secret}
      </code>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <CopyButton value={secret} label="Copy signing secret" />
        <Button onClick={onDone}>Done</Button>
        {extra}
      </div>
    </div>
  );
}

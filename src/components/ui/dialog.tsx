"use client";

import { X } from "lucide-react";
import { Dialog as D } from "radix-ui";
import { useState } from "react";
import { Button } from "./button";
import { cn } from "./cn";

export const Dialog = D.Root;
export const DialogTrigger = D.Trigger;

/** A centred modal with a title and an optional description (both read by screen readers). */
export function DialogContent({
  title,
  description,
  children,
  className,
}: {
  title: string;
  description?: React.ReactNode;
  children?: React.ReactNode;
  className?: string;
}) {
  return (
    <D.Portal>
      <D.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
      <D.Content
        className={cn(
          "fixed top-1/2 left-1/2 z-50 w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-6 shadow-xl",
          className,
        )}
      >
        <D.Title className="text-lg font-semibold text-slate-900">{title}</D.Title>
        {description ? (
          <D.Description className="mt-2 text-sm text-slate-600">{description}</D.Description>
        ) : (
          <D.Description className="sr-only">{title}</D.Description>
        )}
        <div className="mt-4">{children}</div>
        <D.Close className="absolute top-4 right-4 rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800" aria-label="Close">
          <X aria-hidden className="size-4" />
        </D.Close>
      </D.Content>
    </D.Portal>
  );
}

/**
 * Asks before anything that moves money or revokes access. `consequence` says in plain words what
 * will happen ("Key sk_live_ab… stops working at once; calls with it get 401."); the confirm
 * button names the action. Stays open with the error shown if `onConfirm` throws.
 */
export function ConfirmDialog({
  trigger,
  title,
  consequence,
  confirmLabel,
  danger = false,
  onConfirm,
}: {
  trigger: React.ReactNode;
  title: string;
  consequence: React.ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown> | unknown;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={consequence}>
        {error && (
          <p role="alert" className="mb-3 text-sm text-red-700">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </Button>
          <Button
            className={danger ? "bg-red-600 hover:bg-red-700 disabled:bg-red-600/60" : undefined}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                await onConfirm();
                setOpen(false);
              } catch (e) {
                setError(e instanceof Error ? e.message : "That did not work. Try again.");
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? "Working…" : confirmLabel}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

/** A panel sliding in from the right, for the details of one row. */
export function Sheet({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: React.ReactNode;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-slate-900/30" />
        <D.Content className="fixed inset-y-0 right-0 z-50 flex w-full max-w-xl flex-col overflow-y-auto bg-white shadow-xl">
          <div className="flex items-start justify-between border-b border-slate-200 px-6 py-4">
            <div>
              <D.Title className="text-lg font-semibold">{title}</D.Title>
              <D.Description className={description ? "mt-1 text-sm text-slate-600" : "sr-only"}>{description ?? title}</D.Description>
            </div>
            <D.Close className="rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800" aria-label="Close">
              <X aria-hidden className="size-4" />
            </D.Close>
          </div>
          <div className="flex-1 px-6 py-4">{children}</div>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

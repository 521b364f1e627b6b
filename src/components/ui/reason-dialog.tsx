"use client";

import { useId, useState } from "react";
import { Button } from "./button";
import { Dialog, DialogContent, DialogTrigger } from "./dialog";
import { describedBy, Field, inputClasses } from "./field";

/**
 * A confirmation that asks why: `consequence` says what will happen, the reason (required unless
 * `optional`) is sent with the action and kept in the audit log. Stays open with the error shown
 * if `onConfirm` throws (a server field error on `reason` is shown under the field).
 */
export function ReasonDialog({
  trigger,
  title,
  consequence,
  reasonLabel = "Reason",
  optional = false,
  confirmLabel,
  danger = false,
  onConfirm,
}: {
  trigger: React.ReactNode;
  title: string;
  consequence: React.ReactNode;
  reasonLabel?: string;
  optional?: boolean;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: (reason: string) => Promise<unknown> | unknown;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
        setFieldError(undefined);
        if (!o) setReason("");
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={consequence}>
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (!optional && !reason.trim()) {
              setFieldError("Give a reason: it is kept in the audit log.");
              return;
            }
            setBusy(true);
            setError(null);
            setFieldError(undefined);
            try {
              await onConfirm(reason.trim());
              setOpen(false);
              setReason("");
            } catch (err) {
              const fields = (err as { data?: { fieldErrors?: Record<string, string[]> } }).data?.fieldErrors;
              if (fields?.reason?.[0]) setFieldError(fields.reason[0]);
              else setError(err instanceof Error ? err.message : "That did not work. Try again.");
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field id={`${id}-reason`} label={reasonLabel} error={fieldError}>
            <textarea
              id={`${id}-reason`}
              rows={3}
              className={inputClasses(!!fieldError)}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              {...describedBy(`${id}-reason`, { error: fieldError })}
            />
          </Field>
          {error && (
            <p role="alert" className="mt-3 text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="mt-4 flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" className={danger ? "bg-red-600 hover:bg-red-700 disabled:bg-red-600/60" : undefined} disabled={busy}>
              {busy ? "Working…" : confirmLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

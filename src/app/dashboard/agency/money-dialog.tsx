"use client";

import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";

const AMOUNT = /^\d{1,15}(\.\d{1,4})?$/;

/**
 * Asks for an amount and says what will move before moving it: fund, recall, commission payout.
 * A fresh idempotency key is made each time the dialog opens, so a double click (or a retry of the
 * same attempt) moves the money once.
 */
export function MoneyDialog({
  trigger,
  title,
  effect,
  currency,
  defaultAmount = "",
  actionLabel,
  onConfirm,
}: {
  trigger: React.ReactNode;
  title: string;
  /** What will happen for an amount, in plain words. */
  effect: (amount: string) => string;
  currency: string;
  defaultAmount?: string;
  /** The confirm button's name for an amount, e.g. "Fund 200.00 USD". */
  actionLabel: (amount: string) => string;
  onConfirm: (input: { amount: string; idempotencyKey: string }) => Promise<unknown>;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState(defaultAmount);
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const valid = AMOUNT.test(amount.trim()) && !/^0+(\.0+)?$/.test(amount.trim());
  const fieldError = amount && !valid ? "Enter an amount such as 200.00 (at most 4 decimals)." : undefined;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
        if (o) {
          setKey(crypto.randomUUID());
          setAmount(defaultAmount);
        }
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={valid ? effect(amount.trim()) : `Enter the amount in ${currency}.`}>
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!valid || busy) return;
            setBusy(true);
            setError(null);
            try {
              await onConfirm({ amount: amount.trim(), idempotencyKey: key });
              setOpen(false);
            } catch (err) {
              setError(err instanceof Error ? err.message : "That did not work. Try again.");
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field id={`${id}-amount`} label={`Amount (${currency})`} error={fieldError}>
            <input
              id={`${id}-amount`}
              className={inputClasses(!!fieldError)}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
              {...describedBy(`${id}-amount`, { error: fieldError })}
            />
          </Field>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" disabled={!valid || busy}>
              {busy ? "Working…" : actionLabel(valid ? amount.trim() : "")}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

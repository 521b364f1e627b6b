"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { inputClasses } from "@/components/ui/field";
import { formatAmount } from "@/components/ui/money";
import { addAmounts, compareAmounts, isValidAmount } from "@/lib/money";
import { useTRPC } from "@/trpc/react";
import { PartnerSelect } from "../partner-select";

export interface MoveTarget {
  partnerId: string;
  environment: "sandbox" | "live";
  currency: string;
}

/**
 * Credit (external funding in) or adjustment (either way, never below zero) of one wallet, with a
 * mandatory reason; "Review" states the effect ("Partner X's live USD wallet goes from 10.00 to
 * 510.00") before "Confirm credit" moves the money.
 */
export function MoveMoneyDialog({ open, onOpenChange, initial }: { open: boolean; onOpenChange: (open: boolean) => void; initial: MoveTarget | null }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      {open && <MoveMoneyForm key={JSON.stringify(initial)} initial={initial} close={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function MoveMoneyForm({ initial, close }: { initial: MoveTarget | null; close: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [partnerId, setPartnerId] = useState(initial?.partnerId ?? "");
  const [environment, setEnvironment] = useState<"sandbox" | "live">(initial?.environment ?? "live");
  const [currency, setCurrency] = useState(initial?.currency ?? "USD");
  const [kind, setKind] = useState<"credit" | "adjustment">("credit");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [reviewing, setReviewing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cur = currency.trim().toUpperCase();
  const wallets = useQuery({ ...trpc.admin.wallets.balances.queryOptions({ search: partnerId, environment, limit: 200 }), enabled: partnerId !== "" });
  const row = wallets.data?.data.find((r) => r.partnerId === partnerId && r.currency === cur);
  const partnerName = wallets.data?.data.find((r) => r.partnerId === partnerId)?.businessName ?? partnerId;
  const before = row?.balance ?? "0.0000";
  const amountOk = isValidAmount(amount.trim(), { allowNegative: kind === "adjustment", allowZero: false });
  const after = amountOk ? addAmounts(before, amount.trim()) : null;
  const problems = [
    !partnerId && "Choose a partner.",
    !/^[A-Z]{3}$/.test(cur) && "The currency is a 3-letter code such as USD.",
    !amountOk && (kind === "credit" ? "Enter an amount above zero like 500.00." : "Enter a non-zero amount like 25.00 or -25.00."),
    reason.trim().length < 3 && "Give a reason (at least 3 characters): it goes in the audit log.",
    after !== null && compareAmounts(after, "0") < 0 && `This would take the wallet below zero (it holds ${formatAmount(before)}).`,
  ].filter((p): p is string => Boolean(p));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admin.wallets.pathKey() });
  const credit = useMutation(trpc.admin.wallets.creditWallet.mutationOptions({ onSuccess: invalidate }));
  const adjust = useMutation(trpc.admin.wallets.adjustWallet.mutationOptions({ onSuccess: invalidate }));
  const busy = credit.isPending || adjust.isPending;
  const effect = after !== null ? `${partnerName}'s ${environment} ${cur} wallet goes from ${formatAmount(before)} to ${formatAmount(after)}.` : "";

  return (
    <DialogContent
      title="Credit or adjust a wallet"
      description={reviewing ? "Check the effect before confirming: the money moves at once." : "Credits add external funding; adjustments correct either way."}
    >
      {!reviewing ? (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (problems.length === 0) {
              setError(null);
              setReviewing(true);
            }
          }}
        >
          <PartnerSelect id="move-partner" value={partnerId} onChange={setPartnerId} />
          <div className="grid grid-cols-2 gap-3">
            <label className="block text-sm">
              <span className="font-medium text-slate-800">Environment</span>
              <select className={`${inputClasses()} mt-1`} value={environment} onChange={(e) => setEnvironment(e.target.value as "sandbox" | "live")}>
                <option value="live">Live</option>
                <option value="sandbox">Sandbox</option>
              </select>
            </label>
            <label className="block text-sm">
              <span className="font-medium text-slate-800">Currency</span>
              <input className={`${inputClasses()} mt-1`} value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3} />
            </label>
            <label className="block text-sm">
              <span className="font-medium text-slate-800">Movement</span>
              <select className={`${inputClasses()} mt-1`} value={kind} onChange={(e) => setKind(e.target.value as "credit" | "adjustment")}>
                <option value="credit">Credit</option>
                <option value="adjustment">Adjustment</option>
              </select>
            </label>
            <label className="block text-sm">
              <span className="font-medium text-slate-800">Amount</span>
              <input
                className={`${inputClasses()} mt-1`}
                inputMode="decimal"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                placeholder={kind === "credit" ? "500.00" : "-25.00"}
              />
            </label>
          </div>
          <label className="block text-sm">
            <span className="font-medium text-slate-800">Reason</span>
            <textarea
              className={`${inputClasses()} mt-1`}
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="Wire received 2026-11-30, ref …"
            />
          </label>
          {partnerId && row !== undefined && (
            <p className="text-sm text-slate-600">
              Current balance: {cur} {formatAmount(before)}
            </p>
          )}
          {problems.length > 0 && (amount || reason) && (
            <ul className="list-disc pl-5 text-sm text-red-700" data-testid="move-problems">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={problems.length > 0}>
              Review
            </Button>
          </div>
        </form>
      ) : (
        <div className="space-y-3">
          <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="move-effect">
            {effect}
          </p>
          <p className="text-sm text-slate-700">Reason: {reason.trim()}</p>
          {error && (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setReviewing(false)} disabled={busy}>
              Back
            </Button>
            <Button
              disabled={busy}
              onClick={async () => {
                setError(null);
                try {
                  const input = { partnerId, environment, currency: cur, amount: amount.trim(), reason: reason.trim() };
                  const r = kind === "credit" ? await credit.mutateAsync(input) : await adjust.mutateAsync(input);
                  toast.success(`${partnerName}'s ${environment} ${cur} wallet: ${formatAmount(r.balanceBefore)} → ${formatAmount(r.balanceAfter)}.`);
                  close();
                } catch (e) {
                  setError(e instanceof Error ? e.message : "That did not work. Try again.");
                }
              }}
            >
              {busy ? "Working…" : kind === "credit" ? "Confirm credit" : "Confirm adjustment"}
            </Button>
          </div>
        </div>
      )}
    </DialogContent>
  );
}

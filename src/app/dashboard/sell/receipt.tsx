import "./receipt.css";
import { dateTime, money } from "@/components/ui/format";

export interface ReceiptCard {
  code: string;
  pin: string | null;
  serialNumber: string | null;
  expiresAt: Date | string | null;
}

export interface ReceiptData {
  shopName: string;
  orderId: string;
  soldAt: Date | string;
  environment: "sandbox" | "live";
  productName: string;
  brand: string;
  sku: string;
  faceValue: string;
  faceCurrency: string;
  customerEmail: string | null;
  customerPhone: string | null;
  cards: ReceiptCard[];
}

/**
 * The customer's receipt of one over-the-counter sale: the shop, the card (brand, face value, code,
 * PIN, serial, expiry) and how to contact the customer. `receipt.css` makes it the only thing a
 * printer prints.
 */
export function Receipt({ receipt, locale }: { receipt: ReceiptData; locale: string }) {
  return (
    <article
      data-print-receipt
      data-testid="receipt"
      aria-labelledby="receipt-h"
      className="mx-auto w-full max-w-sm rounded-lg border border-dashed border-slate-400 bg-white p-6 font-mono text-sm text-slate-900 shadow-sm"
    >
      <header className="border-b border-dashed border-slate-400 pb-3 text-center">
        <h2 id="receipt-h" className="text-base font-semibold">
          {receipt.shopName}
        </h2>
        <p className="text-xs text-slate-600">Gift card receipt</p>
        {receipt.environment === "sandbox" && <p className="mt-1 text-xs font-semibold uppercase">Sandbox: test card, not spendable</p>}
      </header>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 border-b border-dashed border-slate-400 py-3 text-xs">
        <dt className="text-slate-600">Date</dt>
        <dd className="text-right">{dateTime(receipt.soldAt, locale)}</dd>
        <dt className="text-slate-600">Receipt</dt>
        <dd className="text-right break-all">{receipt.orderId}</dd>
        {receipt.customerEmail && (
          <>
            <dt className="text-slate-600">Email</dt>
            <dd className="text-right break-all">{receipt.customerEmail}</dd>
          </>
        )}
        {receipt.customerPhone && (
          <>
            <dt className="text-slate-600">Phone</dt>
            <dd className="text-right">{receipt.customerPhone}</dd>
          </>
        )}
      </dl>
      <div className="border-b border-dashed border-slate-400 py-3">
        <p className="font-semibold">{receipt.brand}</p>
        <p className="text-xs text-slate-600">
          {receipt.productName} ({receipt.sku})
        </p>
        <p className="mt-2 flex justify-between text-base font-semibold">
          <span>Value</span>
          <span data-testid="receipt-value">{money(receipt.faceValue, receipt.faceCurrency, locale)}</span>
        </p>
      </div>
      <ul className="space-y-3 py-3">
        {receipt.cards.map((c) => (
          <li key={c.code} className="rounded border border-slate-300 p-3">
            <p className="text-xs text-slate-600">Card code</p>
            <p className="text-lg font-semibold tracking-wider break-all" data-testid="receipt-code">
              {c.code}
            </p>
            {c.pin && (
              <p className="mt-1 text-xs">
                PIN <span className="font-semibold">{c.pin}</span>
              </p>
            )}
            {c.serialNumber && <p className="text-xs">Serial {c.serialNumber}</p>}
            {c.expiresAt && <p className="text-xs">Valid until {dateTime(c.expiresAt, locale)}</p>}
          </li>
        ))}
      </ul>
      <footer className="border-t border-dashed border-slate-400 pt-3 text-center text-xs text-slate-600">
        Keep this receipt: the code is the card. Sold through Steller.
      </footer>
    </article>
  );
}

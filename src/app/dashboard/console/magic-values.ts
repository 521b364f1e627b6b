import { magicOf, type MockMagic } from "@/server/supplier/mock/magic";

export type MagicName = NonNullable<MockMagic>;

export interface MagicValue {
  name: MagicName;
  label: string;
  /** What the developer will see happen to the order. */
  outcome: string;
  /** The cents a face value must end with, e.g. ".13". */
  cents: string;
  /** The smallest quantity that triggers it (2 for a partial fulfilment). */
  minQuantity: number;
}

/**
 * How the console names each magic value. The values themselves (which cents, which quantity)
 * are read from the mock's own `magicOf`, so a value added there appears here at once; a name
 * without an entry below is shown by its code name (and the console's unit test says so).
 */
export const MAGIC_DESCRIPTIONS: Record<string, { label: string; outcome: string }> = {
  out_of_stock: { label: "Out of stock", outcome: "The vendor refuses the order at placement: it fails and the wallet is refunded." },
  fails: { label: "Fails after acceptance", outcome: "The vendor accepts the order, then it fails with no cards: refunded." },
  partial: { label: "Partially fulfilled", outcome: "Only half the cards are delivered; the missing ones are refunded." },
  slow: { label: "Slow fulfilment", outcome: "Fulfilment takes five times longer: the order stays processing for a while." },
  answer_lost: { label: "Answer lost", outcome: "The vendor creates the order but its answer is lost (500): we re-check instead of buying twice." },
  rate_limit_storm: { label: "Rate-limit storm", outcome: "The vendor answers 429 twice before accepting: we wait and retry." },
  malformed: { label: "Malformed vendor answer", outcome: "The vendor's status answer is malformed: we keep checking until it makes sense." },
  gateway_forbidden: {
    label: "Gateway 403",
    outcome: "A gateway answers 403 though the vendor took the order: we re-check by request id and complete it, never refund blind.",
  },
  not_found: { label: "Placement 404", outcome: "Every placement answers 404: the order stays open and is re-checked; it is never refunded blind." },
  wrong_delivery: {
    label: "Wrong cards delivered",
    outcome: "The vendor delivers cards of another face value: the order stays open for an admin, never silently completed.",
  },
};

const QUANTITIES = [1, 2, 3, 5, 10];

/** Every magic value of the mock vendor, probed from `magicOf` cent by cent, in cents order. */
export function magicValues(): MagicValue[] {
  const found = new Map<MagicName, MagicValue>();
  for (let c = 0; c < 100; c++) {
    const cents = `.${String(c).padStart(2, "0")}`;
    for (const quantity of QUANTITIES) {
      const name = magicOf(`10${cents}`, quantity);
      if (!name || found.has(name)) continue;
      const text = MAGIC_DESCRIPTIONS[name] ?? { label: name.replace(/_/g, " "), outcome: "A special path of the mock vendor." };
      found.set(name, { name, ...text, cents, minQuantity: quantity });
    }
  }
  return [...found.values()];
}

import { describe, expect, it } from "vitest";
import { BATCH_MAX_CARDS, chooseMembers } from "@/server/orders/batch";

let seq = 0;
const order = (partnerId: string, quantity = 1) => ({
  id: `ord_${String(++seq).padStart(4, "0")}`,
  partnerId,
  quantity,
  createdAt: new Date(1_700_000_000_000 + seq),
});

describe("chooseMembers (fair use of a vendor batch)", () => {
  it("takes every waiting order while the cards fit", () => {
    const pool = [order("a"), order("b", 3), order("a", 2)];
    expect(chooseMembers(pool).map((o) => o.id)).toEqual(pool.map((o) => o.id));
  });

  it("a partner's burst cannot fill the batch alone: partners take turns, each partner's orders oldest first", () => {
    // Partner a sent 10 orders of 100 cards first; b and c one each, later.
    const burst = Array.from({ length: 10 }, () => order("a", 100));
    const b = order("b", 100);
    const c = order("c", 100);
    const chosen = chooseMembers([...burst, b, c]);
    expect(chosen.reduce((n, o) => n + o.quantity, 0)).toBe(BATCH_MAX_CARDS);
    // a's oldest (the oldest of all; a's first turn), then b and c (their first turns), then a again.
    expect(chosen.map((o) => o.id)).toEqual([burst[0]!.id, b.id, c.id, burst[1]!.id, burst[2]!.id]);
  });

  it("the oldest waiting order always goes, even when smaller ones would fill the batch", () => {
    const big = order("a", 500);
    const small = Array.from({ length: 5 }, () => order("b", 1));
    expect(chooseMembers([big, ...small]).map((o) => o.id)).toEqual([big.id]);
  });

  it("skips an order that does not fit (it waits for the next batch) and keeps filling with those that do", () => {
    const first = order("a", 400);
    const tooBig = order("b", 200);
    const fits = order("c", 100);
    expect(chooseMembers([first, tooBig, fits]).map((o) => o.id)).toEqual([first.id, fits.id]);
  });

  it("nothing waiting, nothing chosen", () => {
    expect(chooseMembers([])).toEqual([]);
  });
});

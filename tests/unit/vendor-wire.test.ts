import { describe, expect, it } from "vitest";
import { deliveryMismatches } from "@/server/orders/fulfil";
import { isDocumentedRefusal, isOrderAlreadyExists, mapVendorReason, parseRetryAfterMs } from "@/server/supplier/bamboo/errors";
import { parseJsonKeepingNumbers, rawNumber, stringifyWithRawNumbers, toDecimalString } from "@/server/supplier/json";
import { maskVendorBody } from "@/server/supplier/mask";
import { magicOf } from "@/server/supplier/mock/magic";

describe("vendor JSON without floats", () => {
  it("keeps every number's literal digits, outside strings only", () => {
    const v = parseJsonKeepingNumbers('{"a":0.1,"b":[-2.50e3,7],"s":"x 1.5 \\" 2","t":true,"n":null,"big":12345678901234567890.123}');
    expect(v).toEqual({ a: "0.1", b: ["-2.50e3", "7"], s: 'x 1.5 " 2', t: true, n: null, big: "12345678901234567890.123" });
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseJsonKeepingNumbers('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonKeepingNumbers("<html>")).toThrow(SyntaxError);
  });

  it("turns literals into plain decimal strings and refuses non-numbers", () => {
    expect(toDecimalString("24.10")).toBe("24.1");
    expect(toDecimalString("1e2")).toBe("100");
    expect(toDecimalString("0.30000000000000004")).toBe("0.30000000000000004");
    expect(toDecimalString("ten")).toBeNull();
    expect(toDecimalString("")).toBeNull();
  });

  it("writes decimal strings as bare JSON numbers with the same digits", () => {
    expect(stringifyWithRawNumbers({ Value: rawNumber("10.10"), Name: "x" })).toBe('{"Value":10.10,"Name":"x"}');
    expect(() => rawNumber("1; drop")).toThrow();
  });
});

describe("masking card secrets in recorded bodies", () => {
  it("masks card codes and PINs, string or number, whatever the key's case", () => {
    const body = '{"cards":[{"cardCode":"TEST-ABCD-EF01-2345","PIN":1234,"pin":"9876","serialNumber":"S1"}],"total":9.5}';
    const masked = maskVendorBody(body)!;
    expect(masked).toBe('{"cards":[{"cardCode":"****2345","PIN":"****","pin":"****","serialNumber":"S1"}],"total":9.5}');
  });

  it("caps very large bodies", () => {
    expect(maskVendorBody("x".repeat(70_000))!.length).toBeLessThan(65_000);
  });
});

describe("reading vendor errors", () => {
  it("reads the wait from the 429 message first, then Retry-After, else nothing", () => {
    expect(parseRetryAfterMs('{"message":"Too many requests. Please wait for 7 seconds"}', "2")).toBe(7000);
    expect(parseRetryAfterMs("{}", "3")).toBe(3000);
    expect(parseRetryAfterMs("{}", new Date(1_000_000 + 4000).toUTCString(), 1_000_000)).toBe(4000);
    expect(parseRetryAfterMs("{}", null)).toBeNull();
  });

  it("maps each vendor reason to our own code and anything else to a generic refusal", () => {
    expect(mapVendorReason("WrongAccount")).toBe("vendor_account_error");
    expect(mapVendorReason("InsufficientBalance")).toBe("vendor_insufficient_funds");
    expect(mapVendorReason("InvalidProductIds")).toBe("product_not_available");
    expect(mapVendorReason("InvalidDenomination")).toBe("invalid_denomination");
    expect(mapVendorReason("CardsLimitExceeded")).toBe("quantity_limit_exceeded");
    expect(mapVendorReason("Product is out of stock: ProductIsOutOfStock")).toBe("out_of_stock");
    expect(mapVendorReason("The request is invalid.")).toBe("vendor_rejected");
    expect(mapVendorReason(null)).toBe("vendor_rejected");
    expect(isOrderAlreadyExists("OrderAlreadyExists")).toBe(true);
  });
});

describe("mock vendor magic values", () => {
  it("keys each path on the face value's cents (and quantity for partial)", () => {
    expect(magicOf("10.13", 1)).toBe("out_of_stock");
    expect(magicOf("10.66", 1)).toBe("fails");
    expect(magicOf("10.50", 2)).toBe("partial");
    expect(magicOf("10.5", 1)).toBeNull();
    expect(magicOf("10.77", 1)).toBe("slow");
    expect(magicOf("10.55", 1)).toBe("answer_lost");
    expect(magicOf("10.29", 1)).toBe("rate_limit_storm");
    expect(magicOf("10.98", 1)).toBe("malformed");
    expect(magicOf("10.43", 1)).toBe("gateway_forbidden");
    expect(magicOf("10.44", 1)).toBe("not_found");
    expect(magicOf("10.88", 1)).toBe("wrong_delivery");
    expect(magicOf("25", 3)).toBeNull();
  });
});

describe("what counts as the vendor refusing an order", () => {
  it("only a 400 carrying the vendor's {message}; never 401, 403, 404, 408, 409 or a 400 without it", () => {
    expect(isDocumentedRefusal(400, "ProductIsOutOfStock")).toBe(true);
    expect(isDocumentedRefusal(400, "The request is invalid: products.0.value")).toBe(true);
    expect(isDocumentedRefusal(400, null)).toBe(false); // an HTML page, an empty body
    expect(isDocumentedRefusal(400, " ")).toBe(false);
    for (const status of [401, 403, 404, 408, 409, 422]) expect(isDocumentedRefusal(status, "Forbidden"), String(status)).toBe(false);
  });
});

describe("delivered cards checked against the order", () => {
  const card = (n: number) => ({ vendorCardId: String(n), serialNumber: null, code: `C${n}`, pin: null, expiresAt: null, status: "Active" });
  const order = { quantity: 2, faceValue: "25.0000" };
  const item = (over: Partial<{ productId: number; faceValue: string; quantity: number; cards: ReturnType<typeof card>[] }> = {}) => ({
    productId: 990001,
    faceValue: "25",
    quantity: 2,
    cards: [card(1), card(2)],
    ...over,
  });
  const answer = (state: "succeeded" | "partial", items: ReturnType<typeof item>[]) => ({ state, items, cards: items.flatMap((i) => i.cards) });

  it("accepts the ordered product, face value and count (and fewer cards for PartialFailed)", () => {
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item()]))).toEqual([]);
    expect(deliveryMismatches(order, "990001", answer("partial", [item({ cards: [card(1)] })]))).toEqual([]);
  });

  it("names every difference: product, face value, count, extra cards, a short 'Succeeded'", () => {
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item({ productId: 12 })]))[0]).toContain("product 12");
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item({ faceValue: "26" })]))[0]).toContain("face value 26");
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item({ quantity: 3, cards: [card(1), card(2), card(3)] })])).join()).toContain(
      "3 card(s) in the vendor's order",
    );
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item({ quantity: 1, cards: [card(1), card(2)] })])).join()).toContain("delivered 2");
    expect(deliveryMismatches(order, "990001", answer("succeeded", [item({ cards: [card(1)] })])).join()).toContain('"Succeeded" with 1');
    expect(deliveryMismatches(order, "990001", answer("succeeded", []))).toContain("the vendor's answer has no items");
  });
});

import { describe, expect, it } from "vitest";
import { generateSecret, secretKey, sign, verifyWebhook, webhookHeaders, WebhookVerificationError } from "@/server/webhooks/sign";
import { isPrivateAddress, validateEndpointUrl } from "@/server/webhooks/target";

// The test vector of the Standard Webhooks reference libraries.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("Standard Webhooks signing", () => {
  it("produces the reference signature for the spec's test vector", () => {
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it("keys the HMAC with the base64-decoded part after whsec_", () => {
    expect(secretKey(VECTOR.secret)).toEqual(Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64"));
    expect(sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it("verifies the spec's vector within the tolerance and returns the parsed body", () => {
    const headers = { "webhook-id": VECTOR.id, "webhook-timestamp": String(VECTOR.timestamp), "webhook-signature": VECTOR.signature };
    expect(verifyWebhook(VECTOR.secret, headers, VECTOR.body, 300, VECTOR.timestamp + 299)).toEqual({ test: 2432232314 });
    expect(verifyWebhook(VECTOR.secret, new Headers(headers), VECTOR.body, 300, VECTOR.timestamp - 299)).toEqual({ test: 2432232314 });
  });

  it("refuses a timestamp outside the tolerance, a tampered body, a wrong secret and missing headers", () => {
    const headers = { "webhook-id": VECTOR.id, "webhook-timestamp": String(VECTOR.timestamp), "webhook-signature": VECTOR.signature };
    const at = VECTOR.timestamp;
    expect(() => verifyWebhook(VECTOR.secret, headers, VECTOR.body, 300, at + 301)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(VECTOR.secret, headers, VECTOR.body, 300, at - 301)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(VECTOR.secret, headers, '{"test": 2432232315}', 300, at)).toThrow(/No matching signature/);
    expect(() => verifyWebhook(generateSecret(), headers, VECTOR.body, 300, at)).toThrow(/No matching signature/);
    expect(() => verifyWebhook(VECTOR.secret, { ...headers, "webhook-id": "msg_other" }, VECTOR.body, 300, at)).toThrow(/No matching signature/);
    expect(() => verifyWebhook(VECTOR.secret, { ...headers, "webhook-timestamp": "hello" }, VECTOR.body, 300, at)).toThrow(/timestamp/);
    expect(() => verifyWebhook(VECTOR.secret, { "webhook-id": VECTOR.id }, VECTOR.body, 300, at)).toThrow(/Missing/);
    expect(() => verifyWebhook(VECTOR.secret, { ...headers, "webhook-signature": "v1," }, VECTOR.body, 300, at)).toThrow(/No matching signature/);
  });

  it("accepts a header with several signatures when one of them matches (rotation)", () => {
    const old = generateSecret();
    const current = generateSecret();
    const headers = webhookHeaders({ id: "msg_1", timestamp: 1_800_000_000, body: "{}", secrets: [current, old] });
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook(old, headers, "{}", 300, 1_800_000_000)).toEqual({});
    expect(verifyWebhook(current, headers, "{}", 300, 1_800_000_000)).toEqual({});
    expect(() => verifyWebhook(generateSecret(), headers, "{}", 300, 1_800_000_000)).toThrow(WebhookVerificationError);
  });

  it("generates whsec_ secrets of 24 random bytes", () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretKey(a)).toHaveLength(24);
    expect(generateSecret()).not.toBe(a);
  });
});

describe("webhook target guard", () => {
  it("treats private, loopback, link-local, CGNAT, multicast, unspecified and IPv6 ULA/link-local as private", () => {
    for (const ip of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.5.4",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "224.0.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "::1",
      "::",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.1.2.3",
      "64:ff9b::a00:1",
      "not-an-ip",
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"]) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });

  it("refuses private literal addresses, localhost, credentials and other schemes at creation, with clear messages", () => {
    for (const url of [
      "http://127.0.0.1/hook",
      "http://10.0.0.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://2130706433/",
      "http://0x7f.1/",
      "http://localhost:3000/",
    ]) {
      expect(() => validateEndpointUrl(url, false), url).toThrow(/private|localhost/);
    }
    expect(() => validateEndpointUrl("https://user:pw@example.com/", false)).toThrow(/credentials/);
    expect(() => validateEndpointUrl("ftp://example.com/", false)).toThrow(/https/);
    expect(() => validateEndpointUrl("example.com/hook", false)).toThrow(/absolute URL/);
    expect(validateEndpointUrl("https://hooks.example.com:8443/steller?x=1", false).toString()).toBe("https://hooks.example.com:8443/steller?x=1");
    expect(validateEndpointUrl("http://127.0.0.1:4000/hook", true).toString()).toBe("http://127.0.0.1:4000/hook");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";
import { evaluateLedgerAlert, evaluateReconciliationAlert, evaluateVendorAlerts, evaluateWebhookAlerts, listAlerts } from "@/server/alerts";
import { consistencyChecks, reconciliationIssues, vendorCalls, webhookEndpoints } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { makePartner, makeUser } from "../support/factories";

/**
 * Admin alerts (issue 17 item 11): each cause raises one alert while open (seen again: counted,
 * not raised again), emailed once to every admin and audited; resolved when the cause is gone,
 * after which the cause raises a new one.
 */
let t: TestDatabase;
let adminEmails: string[];
beforeAll(async () => {
  t = await createTestDatabase();
  adminEmails = [(await makeUser(t.db, { admin: true })).email, (await makeUser(t.db, { admin: true })).email];
});
afterAll(async () => t?.close());

const alertsOf = async (cause: string) => (await listAlerts(t.db, { state: "all" })).filter((a) => a.cause === cause);
const alertEmails = async (alertId: string) =>
  t.sql<{ to: string; template: string }[]>`
    select data->>'to' as to, data->>'template' as template from job_events where name = 'email/requested' and key like ${`email:alert:${alertId}:%`} order by 1`;
const raisedAudits = (alertId: string) => t.sql`select action from audit_log where target_id = ${alertId}`;

async function check(ok: boolean) {
  await t.db.insert(consistencyChecks).values({
    id: newId("chk"),
    ok,
    driftAccounts: ok ? 0 : 1,
    report: ok
      ? { drift: [] }
      : { drift: [{ accountId: "acc_drifted", drift: "5.0000" }], unbalancedTransfers: [], revenueMismatches: [{ orderId: "ord_rev" }] },
  });
}

describe("admin alerts", () => {
  it("ledger drift: one alert while drift lasts, emailed once to each admin, resolved by a clean check; drift again raises a new one", async () => {
    await check(false);
    await evaluateLedgerAlert(t.db);
    await evaluateLedgerAlert(t.db);
    const [alert] = await alertsOf("ledger_drift");
    expect(alert).toMatchObject({ kind: "ledger_drift", severity: "critical", occurrences: 2, resolvedAt: null });
    expect(alert!.links.map((l) => l.href)).toEqual(["/admin/wallets?account=acc_drifted", "/admin/orders/ord_rev"]);
    expect((await alertEmails(alert!.id)).map((e) => e.to)).toEqual([...adminEmails].sort());
    expect((await alertEmails(alert!.id)).every((e) => e.template === "admin_alert")).toBe(true);
    expect(await raisedAudits(alert!.id)).toEqual([{ action: "alert.raised" }]);

    await check(true);
    await evaluateLedgerAlert(t.db);
    expect((await alertsOf("ledger_drift"))[0]!.resolvedAt).not.toBeNull();

    await check(false);
    await evaluateLedgerAlert(t.db);
    const all = await alertsOf("ledger_drift");
    expect(all).toHaveLength(2);
    expect(all.filter((a) => a.resolvedAt === null)).toHaveLength(1);
  });

  it("reconciliation mismatches: one alert linking the orders, resolved once every finding is", async () => {
    const ids = [newId("rec"), newId("rec")];
    await t.db.insert(reconciliationIssues).values([
      { id: ids[0]!, orderId: "ord_a", kind: "vendor_missing", ourStatus: "completed" },
      { id: ids[1]!, orderId: "ord_b", kind: "vendor_succeeded_we_failed", ourStatus: "failed", vendorStatus: "Succeeded" },
    ]);
    await evaluateReconciliationAlert(t.db);
    const [alert] = await alertsOf("reconciliation");
    expect(alert!.title).toMatch(/^2 reconciliation mismatch/);
    expect(alert!.links.map((l) => l.href)).toEqual(["/admin/orders/ord_a", "/admin/orders/ord_b"]);
    await t.sql`update reconciliation_issues set resolved_at = now()`;
    await evaluateReconciliationAlert(t.db);
    expect((await alertsOf("reconciliation"))[0]!.resolvedAt).not.toBeNull();
  });

  it("a vendor failing or rate-limiting for minutes raises its alert; a short burst does not", async () => {
    const now = new Date();
    const calls = (kind: string | null, spreadMs: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: newId("vcl"),
        vendor: "bamboo",
        account: "acct",
        kind: "place_order",
        method: "POST",
        endpoint: "/orders",
        attempt: 1,
        status: kind === "rate_limited" ? 429 : kind ? 503 : 200,
        durationMs: 10,
        errorKind: kind,
        error: kind ? `vendor answered ${kind}` : null,
        startedAt: new Date(now.getTime() - (spreadMs * i) / Math.max(n - 1, 1)),
      }));
    // A burst of 30 s: not "for minutes".
    await t.db.insert(vendorCalls).values(calls("unavailable", 30_000, 6));
    expect(await evaluateVendorAlerts(t.db, { now })).toMatchObject({ active: 0 });
    // Over three minutes: raised.
    await t.sql`delete from vendor_calls`;
    await t.db.insert(vendorCalls).values(calls("unavailable", 180_000, 6));
    expect(await evaluateVendorAlerts(t.db, { now })).toMatchObject({ active: 1 });
    expect((await alertsOf("vendor_failing"))[0]).toMatchObject({ kind: "vendor_failing", resolvedAt: null });
    // The vendor rate-limits instead: the failing alert resolves, the rate-limit one is raised.
    await t.sql`delete from vendor_calls`;
    await t.db.insert(vendorCalls).values(calls("rate_limited", 180_000, 6));
    expect(await evaluateVendorAlerts(t.db, { now })).toMatchObject({ active: 1, resolved: 1 });
    expect((await alertsOf("vendor_rate_limited"))[0]!.resolvedAt).toBeNull();
    expect((await alertsOf("vendor_failing"))[0]!.resolvedAt).not.toBeNull();
    await t.sql`delete from vendor_calls`;
    await t.db.insert(vendorCalls).values(calls(null, 180_000, 6));
    expect(await evaluateVendorAlerts(t.db, { now })).toMatchObject({ active: 0, resolved: 1 });
  });

  it("a disabled webhook endpoint raises a warning per endpoint, resolved when it is enabled again", async () => {
    const partnerId = await makePartner(t.db);
    const endpointId = newId("whk");
    await t.db.insert(webhookEndpoints).values({
      id: endpointId,
      partnerId,
      environment: "live",
      url: "https://hooks.example.test/steller",
      events: ["*"],
      enabled: false,
      secretEncrypted: "x",
      disabledAt: new Date(),
      disabledReason: "failing for 3 days",
    });
    await evaluateWebhookAlerts(t.db);
    await evaluateWebhookAlerts(t.db);
    const [alert] = await alertsOf(`webhook_disabled:${endpointId}`);
    expect(alert).toMatchObject({ kind: "webhook_endpoint_disabled", severity: "warning", occurrences: 2 });
    expect(alert!.links).toEqual([{ label: `Partner ${partnerId}`, href: `/admin/partners/${partnerId}` }]);
    await t.sql`update webhook_endpoints set enabled = true, disabled_at = null where id = ${endpointId}`;
    await evaluateWebhookAlerts(t.db);
    expect((await alertsOf(`webhook_disabled:${endpointId}`))[0]!.resolvedAt).not.toBeNull();
  });
});

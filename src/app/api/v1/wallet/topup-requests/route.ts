import { listTopupRequests, requestTopup, type TopupRequest } from "@/server/ledger";
import { createTopupRequest, listTopupRequests as listTopupRequestsContract } from "@/server/rest/contracts/wallet";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

const present = (t: TopupRequest) => ({
  id: t.id,
  status: t.status,
  environment: t.environment,
  amount: t.amount,
  currency: t.currency,
  note: t.note,
  createdAt: t.createdAt,
});

/** Asks Steller to fund the wallet; nothing moves until an administrator approves. */
export const POST = partnerRoute(createTopupRequest, async ({ db, partnerId, environment, key, body }) => {
  const request = await requestTopup(db, { partnerId, environment, currency: body.currency, amount: body.amount, note: body.note, requestedBy: key.id });
  return present(request);
});

export const GET = partnerRoute(listTopupRequestsContract, async ({ db, partnerId, environment }) => {
  const rows = await listTopupRequests(db, { partnerId, environment, limit: 100 });
  return { data: rows.map(present) };
});

export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"]);

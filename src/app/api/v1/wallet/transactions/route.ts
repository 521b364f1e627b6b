import { findWallet, InvalidLedgerRequestError, listEntries } from "@/server/ledger";
import { listTransactions } from "@/server/rest/contracts/wallet";
import { ApiError } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

export const GET = partnerRoute(listTransactions, async ({ db, partnerId, environment, query }) => {
  const wallet = await findWallet(db, partnerId, environment, query.currency);
  if (!wallet) return { data: [], hasMore: false, nextCursor: null };
  const page = await listEntries(db, wallet.id, {
    limit: query.limit,
    startingAfter: query.startingAfter ?? null,
    partnerId,
    filters: { kinds: query.kind ? [query.kind] : undefined, from: query.from, to: query.to, reference: query.reference },
  }).catch((e: unknown) => {
    if (e instanceof InvalidLedgerRequestError) throw ApiError.of("invalid_cursor", "startingAfter is not an entry of this wallet", { param: "startingAfter" });
    throw e;
  });
  return {
    data: page.data.map((e) => ({
      id: e.id,
      transferId: e.transferId,
      kind: e.kind,
      reference: e.reference,
      amount: e.amount,
      balanceAfter: e.balanceAfter,
      currency: e.currency,
      createdAt: new Date(e.createdAt),
    })),
    hasMore: page.hasMore,
    nextCursor: page.nextCursor,
  };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);

import { listPartnerWallets } from "@/server/ledger/partner-wallets";
import { getWallet } from "@/server/rest/contracts/wallet";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** The balances of the key's environment, one per currency. */
export const GET = partnerRoute(getWallet, async ({ db, partnerId, environment }) => {
  const wallets = await listPartnerWallets(db, partnerId, environment);
  return { environment, data: wallets.map((w) => ({ environment, currency: w.currency, balance: w.balance, updatedAt: w.updatedAt })) };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(["GET"]);

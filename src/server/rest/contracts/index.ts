import type { Contract } from "../contract";
import * as account from "./account";
import * as catalog from "./catalog";
import * as orders from "./orders";
import * as reference from "./reference";
import * as status from "./status";
import * as wallet from "./wallet";
import * as webhooks from "./webhooks";

const isContract = (v: unknown): v is Contract => typeof v === "object" && v !== null && "method" in v && "path" in v && "responses" in v;

/**
 * Every `/api/v1` operation: each contract module's exported contracts (the export's name is the
 * operationId), in the document's order. A test checks them against the route files and the
 * contract each handler was built with.
 */
export const operations: ReadonlyArray<{ operationId: string; contract: Contract }> = [catalog, orders, wallet, account, reference, webhooks, status].flatMap(
  (m) => Object.entries(m).flatMap(([operationId, contract]) => (isContract(contract) ? [{ operationId, contract }] : [])),
);

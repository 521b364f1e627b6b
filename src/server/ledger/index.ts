/**
 * The ledger: double-entry accounts, transfers and immutable entries (see
 * src/server/db/schema/ledger.ts for the sign convention and what the database enforces).
 */
export * from "./accounts";
export * from "./entries";
export * from "./errors";
export * from "./invariants";
export * from "./order-locks";
export * from "./revenue";
export * from "./statements";
export * from "./transfer";
export * from "./wallets";

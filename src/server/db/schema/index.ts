export * from "./identity";
export * from "./vendor";
export * from "./ledger";
export * from "./jobs";

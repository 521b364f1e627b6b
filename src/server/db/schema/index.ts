export * from "./identity";
export * from "./ledger";
export * from "./vendor";
export * from "./jobs";
export * from "./catalog";
export * from "./orders";
export * from "./keys";
export * from "./webhooks";

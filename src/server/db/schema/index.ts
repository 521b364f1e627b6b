export * from "./identity";
export * from "./vendor";

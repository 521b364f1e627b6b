export * from "./bamboo";
export { listVendorCallsForOrder, type VendorCallKind } from "./calls";

export * from "./bamboo";
export { listVendorCallsForOrder } from "./calls";

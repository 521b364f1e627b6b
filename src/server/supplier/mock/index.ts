export { createMockVendorHandler, mockVendorOptionsFromEnv, type MockVendorOptions } from "./handler";
export {
  MOCK_TEST_PRODUCTS,
  seedMockCatalog,
  seedMockVendor,
  seedSyntheticMockCatalog,
  setMockAccountBalance,
} from "./catalog";
export { countMockCheckoutAttempts, countMockOrders, mockCard } from "./orders";
export { MOCK_PRODUCT_PLACEMENT_LIMIT, MOCK_RATE_LIMITS, productPlacementLimit } from "./rate-limit";
export { builtInMockVendorConfig, createMockVendorRoute, inProcessFetch, MOCK_VENDOR_DISABLED_MESSAGE } from "./builtin";
export { sendMockNotification } from "./notify";

export { createMockVendorHandler, mockVendorOptionsFromEnv, type MockVendorOptions } from "./handler";
export {
  MOCK_ACCOUNTS,
  MOCK_TEST_BRAND,
  MOCK_TEST_PRODUCTS,
  mockProductsFor,
  seedMockCatalog,
  seedMockVendor,
  seedSyntheticMockCatalog,
  setMockAccountBalance,
  type MockProduct,
} from "./catalog";
export { countMockCheckoutAttempts, countMockOrders, mockCard } from "./orders";
export { MOCK_PRODUCT_PLACEMENT_LIMIT, MOCK_RATE_LIMITS, productPlacementLimit, type MockRateLimits } from "./rate-limit";
export { magicOf, type MockMagic } from "./magic";
export { builtInMockVendorConfig, createMockVendorRoute, inProcessFetch, MOCK_VENDOR_DISABLED_MESSAGE } from "./builtin";
export { sendMockNotification } from "./notify";

export * from "./types";
export { emitPartnerEvent, type EmitInput } from "./emit";
export {
  createEndpoint,
  listEndpoints,
  getEndpoint,
  updateEndpoint,
  deleteEndpoint,
  rotateSecret,
  sendTestEvent,
  presentEndpoint,
  MAX_ENDPOINTS,
  ROTATION_OVERLAP_MS,
  type PublicEndpoint,
  type EndpointOptions,
} from "./endpoints";
export { listDeliveries, getDelivery, replayDelivery, presentDelivery, type PublicDelivery, type DeliveryStatus } from "./deliveries";
export { attemptDelivery, type AttemptResult } from "./deliver";
export { emitOrderEvent, checkLowBalance, emitTopupApproved, getLowBalanceThreshold, setLowBalanceThreshold, DEFAULT_LOW_BALANCE_THRESHOLD } from "./sources";
export { configureWebhookRuntime, webhookRuntime, DEFAULT_RETRY_SCHEDULE_MS, type WebhookRuntime } from "./runtime";
export { generateSecret, sign, verifyWebhook, webhookHeaders, WebhookVerificationError } from "./sign";
export { isPrivateAddress, validateEndpointUrl } from "./target";
export { postWebhook } from "./http";

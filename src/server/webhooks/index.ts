export * from "./types";
export { emitPartnerEvent } from "./emit";
export {
  createEndpoint,
  listEndpoints,
  getEndpoint,
  updateEndpoint,
  deleteEndpoint,
  rotateSecret,
  sendTestEvent,
} from "./endpoints";
export { listDeliveries, getDelivery, replayDelivery } from "./deliveries";
export { checkLowBalance, emitTopupApproved, setLowBalanceThreshold } from "./sources";
export { configureWebhookRuntime, type WebhookRuntime } from "./runtime";
export { verifyWebhook } from "./sign";
export { isPrivateAddress } from "./target";
export { postWebhook } from "./http";

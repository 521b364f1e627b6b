export * from "./types";
export { emitPartnerEvent, emitPartnerEvents } from "./emit";
export {
  createEndpoint,
  listEndpoints,
  getEndpoint,
  updateEndpoint,
  deleteEndpoint,
  rotateSecret,
  sendTestEvent,
} from "./endpoints";
export { listDeliveries, getDelivery, getDeliveryDetail, replayDelivery, recoverFailedDeliveries, endpointSuccessRate } from "./deliveries";
export { checkLowBalance, checkLowBalances, emitTopupApproved, setLowBalanceThreshold } from "./sources";
export type { WebhookRuntime } from "./runtime";
export { verifyWebhook } from "./sign";
export { isPrivateAddress } from "./target";
export { postWebhook } from "./http";

/** Webhook operations: defined next to their zod schemas. */
export { webhookOperations } from "./schemas/webhooks";

import type { Operation } from "./openapi";

/** Webhook operations (filled in with the webhook routes). */
export const webhookOperations: Operation[] = [];

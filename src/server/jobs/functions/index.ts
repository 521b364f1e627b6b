import type { InngestFunction } from "inngest";
import { backfillOrders, catalogSync, ledgerConsistency, reconcileOrders, requestLogRetention } from "./maintenance";
import { agencyMonthlyStatements, saleReceiptEmail } from "./agency";
import { sendEmailFunction } from "./email";
import { partnerEngagement } from "./engagement";
import { opsMonitor } from "./ops";
import { fulfilOrder, placeVendorBatch } from "./orders";
import { supplierPoll, supplierPollTick } from "./polling";
import { deliverWebhook, orderWebhookEvents } from "./webhooks";

/** Every Inngest function of the app; the serve route and the embedded executor read this list. */
export const functions: InngestFunction.Any[] = [
  fulfilOrder,
  placeVendorBatch,
  catalogSync,
  backfillOrders,
  reconcileOrders,
  ledgerConsistency,
  requestLogRetention,
  deliverWebhook,
  orderWebhookEvents,
  sendEmailFunction,
  partnerEngagement,
  supplierPoll,
  supplierPollTick,
  saleReceiptEmail,
  agencyMonthlyStatements,
  opsMonitor,
];

import { z } from "zod";
import { DELIVERY_STATUSES, endpointInput } from "@/lib/schemas/dashboard-webhooks";
import { recordAudit } from "@/server/audit";
import { assertLiveAccess } from "@/server/partners/golive";
import {
  createEndpoint,
  deleteEndpoint,
  endpointSuccessRate,
  getDeliveryDetail,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  recoverFailedDeliveries,
  replayDelivery,
  rotateSecret,
  sendTestEvent,
  updateEndpoint,
} from "@/server/webhooks";
import { WEBHOOK_EVENT_CATALOG } from "@/server/webhooks/catalog";
import { partnerProcedure, router } from "../init";

const environment = z.enum(["sandbox", "live"]);
const endpointRef = z.object({ environment, endpointId: z.string().min(1).max(64) });
const deliveryRef = z.object({ environment, deliveryId: z.string().min(1).max(64) });
/**
 * The webhooks portal (issue 16): the same domain functions as /api/v1/webhook-endpoints and
 * /api/v1/webhook-deliveries, scoped by the caller's partner and the environment asked for.
 * Owners and developers only: finance has no access (endpoints, secrets and payloads are an
 * integration's wiring). Changes are audited.
 */
const dev = () => partnerProcedure("developer");

export const webhooksRouter = router({
  list: dev()
    .input(z.object({ environment }))
    .query(({ ctx, input }) => listEndpoints(ctx.db, { partnerId: ctx.partnerId, environment: input.environment })),

  get: dev()
    .input(endpointRef)
    .query(({ ctx, input }) => getEndpoint(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId)),

  /** The signing secret is in this answer only. */
  create: dev()
    .input(endpointInput.extend({ environment }))
    .mutation(async ({ ctx, input }) => {
      if (input.environment === "live") await assertLiveAccess(ctx.db, ctx.partnerId);
      const { endpoint, secret } = await createEndpoint(
        ctx.db,
        {
          partnerId: ctx.partnerId,
          environment: input.environment,
          url: input.url,
          description: input.description,
          events: input.events,
          enabled: input.enabled,
          actor: ctx.user.id,
        },
        ctx.services.webhooks,
      );
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_endpoint.created",
        targetType: "webhook_endpoint",
        targetId: endpoint.id,
        metadata: { environment: input.environment, url: endpoint.url, events: endpoint.events },
      });
      return { endpoint, secret };
    }),

  /** url, description, events or enabled; enabled: true also re-enables an endpoint we disabled. */
  update: dev()
    .input(endpointRef.extend(endpointInput.partial().shape))
    .mutation(async ({ ctx, input }) => {
      const { environment: env, endpointId, ...patch } = input;
      const endpoint = await updateEndpoint(ctx.db, { partnerId: ctx.partnerId, environment: env }, endpointId, patch, ctx.services.webhooks);
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_endpoint.updated",
        targetType: "webhook_endpoint",
        targetId: endpoint.id,
        metadata: { environment: env, changed: Object.keys(patch) },
      });
      return endpoint;
    }),

  delete: dev()
    .input(endpointRef)
    .mutation(async ({ ctx, input }) => {
      const result = await deleteEndpoint(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId);
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_endpoint.deleted",
        targetType: "webhook_endpoint",
        targetId: result.id,
        metadata: { environment: input.environment },
      });
      return result;
    }),

  /** A new secret, shown once; the previous one keeps signing for 24 h. */
  rotateSecret: dev()
    .input(endpointRef)
    .mutation(async ({ ctx, input }) => {
      const result = await rotateSecret(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId, ctx.services.webhooks);
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_endpoint.secret_rotated",
        targetType: "webhook_endpoint",
        targetId: result.endpoint.id,
        metadata: { environment: input.environment, previousSecretExpiresAt: result.endpoint.previousSecretExpiresAt?.toISOString() ?? null },
      });
      return result;
    }),

  sendTest: dev()
    .input(endpointRef)
    .mutation(({ ctx, input }) => sendTestEvent(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId)),

  /** The endpoint's delivery attempts, newest first, by cursor; filters by status and event type. */
  deliveries: dev()
    .input(
      endpointRef.extend({
        status: z.enum(DELIVERY_STATUSES).optional(),
        eventType: z.enum(WEBHOOK_EVENT_CATALOG.map((e) => e.type) as [string, ...string[]]).optional(),
        after: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(100).default(25),
      }),
    )
    .query(async ({ ctx, input }) => {
      const scope = { partnerId: ctx.partnerId, environment: input.environment };
      await getEndpoint(ctx.db, scope, input.endpointId); // NOT_FOUND for another partner's endpoint
      return listDeliveries(ctx.db, scope, {
        endpointId: input.endpointId,
        status: input.status,
        eventType: input.eventType,
        startingAfter: input.after,
        limit: input.limit,
      });
    }),

  /** One delivery: the body sent, each attempt's request headers and the receiver's answer. */
  delivery: dev()
    .input(deliveryRef)
    .query(({ ctx, input }) => getDeliveryDetail(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.deliveryId)),

  replay: dev()
    .input(deliveryRef)
    .mutation(async ({ ctx, input }) => {
      const delivery = await replayDelivery(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.deliveryId);
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_delivery.replayed",
        targetType: "webhook_delivery",
        targetId: input.deliveryId,
        metadata: { environment: input.environment, replay: delivery.id },
      });
      return delivery;
    }),

  /** How many failed deliveries "recover since" would send now (the confirm dialog's count). */
  recoverPreview: dev()
    .input(endpointRef.extend({ since: z.date() }))
    .query(({ ctx, input }) =>
      recoverFailedDeliveries(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId, input.since, { dryRun: true }),
    ),

  /** Re-sends every failed delivery of the endpoint since a time, once (idempotent). */
  recover: dev()
    .input(endpointRef.extend({ since: z.date() }))
    .mutation(async ({ ctx, input }) => {
      const result = await recoverFailedDeliveries(ctx.db, { partnerId: ctx.partnerId, environment: input.environment }, input.endpointId, input.since);
      await recordAudit(ctx.db, {
        actor: ctx.user.id,
        partnerId: ctx.partnerId,
        action: "webhook_endpoint.recovered",
        targetType: "webhook_endpoint",
        targetId: input.endpointId,
        metadata: { environment: input.environment, since: input.since.toISOString(), recovered: result.count },
      });
      return result;
    }),

  /** Deliveries per day and the success rate of the finished ones, over the last 7 or 30 days. */
  successRate: dev()
    .input(endpointRef.extend({ days: z.union([z.literal(7), z.literal(30)]) }))
    .query(async ({ ctx, input }) => {
      const scope = { partnerId: ctx.partnerId, environment: input.environment };
      await getEndpoint(ctx.db, scope, input.endpointId);
      return endpointSuccessRate(ctx.db, scope, input.endpointId, input.days);
    }),
});

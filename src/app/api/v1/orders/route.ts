import { createOrder } from "@/server/orders/create";
import { listPartnerOrders, presentOrder } from "@/server/orders/queries";
import { createOrder as createOrderContract, listOrders } from "@/server/rest/contracts/orders";
import { ApiError } from "@/server/rest/errors";
import { otherMethods, partnerRoute } from "@/server/rest/handler";

export const runtime = "nodejs";

/** Creates an order (202: it is fulfilled in the background). Idempotent on referenceId / Idempotency-Key. */
export const POST = partnerRoute(createOrderContract, async ({ req, db, services, partnerId, environment, key, body, reply }) => {
  const header = req.headers.get("idempotency-key")?.trim();
  if (header && body.referenceId && header !== body.referenceId) {
    throw ApiError.of("idempotency_key_mismatch", "Idempotency-Key and referenceId differ: send one, or the same value in both", { param: "referenceId" });
  }
  const referenceId = body.referenceId ?? header;
  if (!referenceId) {
    throw ApiError.of("missing_reference_id", "Send a referenceId (or an Idempotency-Key header) so a retried request never orders twice", {
      param: "referenceId",
    });
  }
  if (referenceId.length > 128) throw ApiError.of("invalid_parameter", "referenceId must be at most 128 characters", { param: "referenceId" });
  const { order, created } = await createOrder(
    db,
    {
      partnerId,
      environment,
      sku: body.sku,
      faceValue: body.faceValue,
      quantity: body.quantity,
      referenceId,
      actor: key.id,
      source: "api",
    },
    services.orders,
  );
  return created ? reply(202, presentOrder(order)) : reply(200, presentOrder(order), { "Idempotent-Replayed": "true" });
});

export const GET = partnerRoute(listOrders, ({ db, partnerId, environment, query }) => listPartnerOrders(db, partnerId, environment, query));

export const { PUT, PATCH, DELETE } = otherMethods(["GET", "POST"]);

import "server-only";
import { exampleBody, WEBHOOK_EVENT_CATALOG } from "@/server/webhooks/catalog";
import type { CatalogEvent } from "./endpoint-form";

/** The event catalog as the client pages show it: each example body as pretty JSON. */
export function catalogForPage(): CatalogEvent[] {
  return WEBHOOK_EVENT_CATALOG.map((e) => ({ type: e.type, when: e.when, subscribable: e.subscribable, example: JSON.stringify(exampleBody(e), null, 2) }));
}

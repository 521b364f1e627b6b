import type { ReactNode } from "react";
import { AuthenticationPage } from "./authentication";
import { CatalogPage } from "./catalog";
import { ErrorsPage } from "./errors";
import { GoingLivePage } from "./going-live";
import { OrdersPage } from "./orders";
import { QuickstartPage } from "./quickstart";
import { RateLimitsPage } from "./rate-limits";
import { SandboxPage } from "./sandbox";
import { SdkPage } from "./sdk";
import { VersioningPage } from "./versioning";
import { WebhooksPage } from "./webhooks";

/** Each registry page's content, by slug. */
export const DOC_CONTENT: Record<string, (props: { origin: string }) => ReactNode> = {
  "": QuickstartPage,
  authentication: AuthenticationPage,
  sdk: SdkPage,
  catalog: CatalogPage,
  orders: OrdersPage,
  webhooks: WebhooksPage,
  sandbox: SandboxPage,
  errors: ErrorsPage,
  "rate-limits": RateLimitsPage,
  "going-live": GoingLivePage,
  versioning: VersioningPage,
};

import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getSessionUser } from "@/server/auth";
import { processServices } from "@/server/boot/services";
import { createCaller } from "@/server/trpc/root";

/** A tRPC caller for server components, with the same context as an HTTP call. */
export const serverApi = cache(async () => {
  const services = processServices();
  return createCaller({ services, db: services.db, user: await getSessionUser(), headers: new Headers(await headers()) });
});

import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getSessionUser } from "@/server/auth";
import { getDb } from "@/server/db/client";
import { createCaller } from "@/server/trpc/root";

/** A tRPC caller for server components, with the same context as an HTTP call. */
export const serverApi = cache(async () => createCaller({ db: getDb(), user: await getSessionUser(), headers: new Headers(await headers()) }));

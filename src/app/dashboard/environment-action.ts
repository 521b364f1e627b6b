"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { ENVIRONMENT_COOKIE } from "./environment-shared";

/** Remembers the dashboard's environment for a year (not a secret: only which data to show). */
export async function switchEnvironment(environment: string): Promise<void> {
  const value = z.enum(["sandbox", "live"]).parse(environment);
  (await cookies()).set(ENVIRONMENT_COOKIE, value, { path: "/dashboard", maxAge: 60 * 60 * 24 * 365, sameSite: "lax", httpOnly: true });
}

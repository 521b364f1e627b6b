import "server-only";
import { cookies } from "next/headers";
import { type DashboardEnvironment, ENVIRONMENT_COOKIE } from "./environment-shared";

/** The environment the dashboard shows, remembered in a cookie; sandbox until switched. */
export async function dashboardEnvironment(): Promise<DashboardEnvironment> {
  const value = (await cookies()).get(ENVIRONMENT_COOKIE)?.value;
  return value === "live" ? "live" : "sandbox";
}

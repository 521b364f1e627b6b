export type DashboardEnvironment = "sandbox" | "live";
export const ENVIRONMENT_COOKIE = "steller_env";

/**
 * Where the portal's links lead: the integrator docs (/docs, with runnable samples) and the
 * interactive reference of the OpenAPI document (/docs/api).
 */
export const PORTAL_LINKS = {
  docs: "/docs",
  apiReference: "/docs/api",
  status: "/status",
  contact: "mailto:support@steller.example",
  signIn: "/login",
  signUp: "/signup",
} as const;

/**
 * Where the portal's "Docs" and "API reference" lead. The integrator docs (/docs) and the
 * interactive reference (/docs/api) are later parts of issue #15: until they exist, "Docs" is
 * the quickstart on the landing page (real, runnable calls) and "API reference" the OpenAPI
 * document the API serves. Change them here when those pages land.
 */
export const PORTAL_LINKS = {
  docs: "/#quickstart",
  apiReference: "/api/v1/openapi.json",
  status: "/api/health",
  contact: "mailto:support@steller.example",
  signIn: "/login",
  signUp: "/signup",
} as const;

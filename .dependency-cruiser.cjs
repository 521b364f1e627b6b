/**
 * The layers of ../shared/ARCHITECTURE.md, checked in `npm test` (`npm run depcruise`):
 *
 *   app/ → trpc/ or rest/ → domain modules (src/server/<area>/, outbox/ at the bottom) → db/
 *   jobs/ and boot/ sit above the domain (they depend on it, never the reverse); lib/ is below everything.
 *
 * tests/unit/architecture.test.ts proves each rule below fires on a small tree that breaks it.
 */

/** Domain modules: every folder of src/server except the layers above them. */
const DOMAIN = "^src/server/(?!(trpc|rest|boot|jobs)/)[^/]+/";
/** React and the libraries built on it: UI only. */
const REACT = "(^|/)node_modules/(react|react-dom|@tanstack/react-query|@trpc/tanstack-react-query|lucide-react)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles anywhere: a cycle means two modules are one module, or an arrow points up.",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-not-up",
      severity: "error",
      comment:
        "Domain modules never import app/, components/, the tRPC client, tRPC or REST adapters, jobs/ or boot/: those depend on the domain. " +
        "Events go through src/server/outbox, which any domain module may import.",
      from: { path: DOMAIN },
      to: { path: "^src/(app|components|trpc)/|^src/server/(trpc|rest|jobs|boot)/" },
    },
    {
      name: "server-no-react",
      severity: "error",
      comment: "Server code (domain, adapters, jobs, boot) never imports React: the same domain function serves the dashboard, the API and the jobs.",
      from: { path: "^src/server/" },
      to: { path: REACT },
    },
    {
      name: "adapters-not-app",
      severity: "error",
      comment: "tRPC routers, REST handlers and jobs never import app/ (routes import them, not the reverse).",
      from: { path: "^src/server/(trpc|rest|jobs)/" },
      to: { path: "^src/app/" },
    },
    {
      name: "jobs-not-adapters",
      severity: "error",
      comment: "jobs/ calls domain functions, never the tRPC or REST adapters.",
      from: { path: "^src/server/jobs/" },
      to: { path: "^src/server/(trpc|rest)/" },
    },
    {
      name: "lib-imports-nothing-of-ours",
      severity: "error",
      comment: "src/lib holds framework-free helpers: it imports other lib/ files and packages, nothing else of ours, and no React.",
      from: { path: "^src/lib/" },
      to: { pathNot: "^src/lib/|(^|/)node_modules/", dependencyTypesNot: ["core"] },
    },
    {
      name: "lib-no-react",
      severity: "error",
      comment: "src/lib holds framework-free helpers.",
      from: { path: "^src/lib/" },
      to: { path: REACT },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "Every import resolves. Also the guard of the rules above: were the `@/` alias to stop resolving, every rule would pass without looking.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "src-not-to-dev-dependencies",
      severity: "error",
      comment: "Application code runs in production, where devDependencies are not installed.",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|\\.next-[^/]+|\\.data|node_modules)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

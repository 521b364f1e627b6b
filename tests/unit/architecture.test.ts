import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The layer rules live in .dependency-cruiser.cjs and run over the real tree in `npm test`
 * (`npm run depcruise`). This test proves that each rule fires: it cruises a small tree that
 * breaks every rule once (next to imports the layers allow) with the project's own config, and
 * expects exactly those violations. A rule that stopped matching (a wrong regex, the `@/` alias no
 * longer resolving) fails here instead of passing silently over the real tree.
 */
const ROOT = path.resolve(".");
const CLI = path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

const tree: Record<string, string> = {
  "package.json": JSON.stringify({ name: "fixture", dependencies: { react: "*", zod: "*" }, devDependencies: { vitest: "*" } }),
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "esnext", moduleResolution: "bundler", jsx: "react-jsx", paths: { "@/*": ["./src/*"] } },
  }),
  "src/app/page.ts": `export const page = 1;\n`,
  "src/app/orders/page.ts": `import { create } from "@/server/orders/create";\nexport const ordersPage = create;\n`,
  "src/components/button.tsx": `import { useState } from "react";\nexport const Button = useState;\n`,
  "src/trpc/react.tsx": `export const api = 1;\n`,
  "src/lib/ids.ts": `import { randomUUID } from "node:crypto";\nexport const id = randomUUID;\n`,
  "src/lib/money.ts": [
    `import { z } from "zod";`,
    `import { id } from "@/lib/ids";`,
    `import { db } from "@/server/db/client";`, // lib-imports-nothing-of-ours
    `import { useState } from "react";`, // lib-no-react
    `export const money = [z, id, db, useState];`,
  ].join("\n"),
  "src/server/db/client.ts": `export const db = 1;\n`,
  "src/server/outbox/index.ts": `import { db } from "@/server/db/client";\nexport const enqueue = db;\n`,
  "src/server/orders/create.ts": [
    // allowed: the outbox, db, lib, another domain module, a type from a dev dependency
    `import { enqueue } from "@/server/outbox";`,
    `import { db } from "../db/client";`,
    `import { money } from "@/lib/money";`,
    `import { pay } from "@/server/ledger/pay";`,
    `import type { Mock } from "vitest";`,
    // not allowed
    `import { page } from "@/app/page";`, // domain-not-up
    `import { Button } from "@/components/button";`, // domain-not-up
    `import { api } from "@/trpc/react";`, // domain-not-up
    `import { init } from "@/server/trpc/init";`, // domain-not-up
    `import { handler } from "@/server/rest/handler";`, // domain-not-up
    `import { inngest } from "@/server/jobs/client";`, // domain-not-up
    `import { services } from "@/server/boot/services";`, // domain-not-up
    `import { useState } from "react";`, // server-no-react
    `import { expect } from "vitest";`, // src-not-to-dev-dependencies
    `import { ghost } from "./missing";`, // not-to-unresolvable
    `export type M = Mock;`,
    `export const create = [enqueue, db, money, pay, page, Button, api, init, handler, inngest, services, useState, expect, ghost];`,
  ].join("\n"),
  "src/server/ledger/pay.ts": `import { db } from "@/server/db/client";\nexport const pay = db;\n`,
  "src/server/ledger/a.ts": `import { b } from "./b";\nexport const a = () => b;\n`, // no-circular
  "src/server/ledger/b.ts": `import { a } from "./a";\nexport const b = () => a;\n`, // no-circular
  "src/server/trpc/init.ts": `export const init = 1;\n`,
  "src/server/trpc/orders.ts": `import { create } from "@/server/orders/create";\nimport { init } from "./init";\nimport { page } from "@/app/page";\nexport const router = [create, init, page];\n`, // adapters-not-app
  "src/server/rest/handler.ts": `export const handler = 1;\n`,
  "src/server/rest/orders.ts": `import { create } from "@/server/orders/create";\nimport { handler } from "./handler";\nexport const route = [create, handler];\n`,
  "src/server/jobs/client.ts": [
    `import { pay } from "@/server/ledger/pay";`,
    `import { handler } from "@/server/rest/handler";`, // jobs-not-adapters
    `import { page } from "@/app/page";`, // adapters-not-app
    `import { useState } from "react";`, // server-no-react
    `export const inngest = [pay, handler, page, useState];`,
  ].join("\n"),
  "src/server/boot/services.ts": `export const services = 1;\n`,
  "src/server/boot/start.ts": `import { inngest } from "@/server/jobs/client";\nimport { create } from "@/server/orders/create";\nimport { services } from "./services";\nexport const start = [inngest, create, services];\n`,
};

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "steller-layers-"));
  for (const [file, text] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("architecture (.dependency-cruiser.cjs)", () => {
  // One dependency-cruiser process: a few seconds, more on a busy machine.
  it("finds each kind of wrong arrow, and only those", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [CLI, "--config", path.join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json", "src"], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr).toBe("");
    const result = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    // A package is named by its folder (node_modules is a symlink to the project's, which resolves to its real path).
    const name = (to: string) => to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "node_modules/$1");
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${name(v.to)}`).sort();
    expect(found).toEqual(
      [
        "adapters-not-app: src/server/jobs/client.ts → src/app/page.ts",
        "adapters-not-app: src/server/trpc/orders.ts → src/app/page.ts",
        "domain-not-up: src/server/orders/create.ts → src/app/page.ts",
        "domain-not-up: src/server/orders/create.ts → src/components/button.tsx",
        "domain-not-up: src/server/orders/create.ts → src/server/boot/services.ts",
        "domain-not-up: src/server/orders/create.ts → src/server/jobs/client.ts",
        "domain-not-up: src/server/orders/create.ts → src/server/rest/handler.ts",
        "domain-not-up: src/server/orders/create.ts → src/server/trpc/init.ts",
        "domain-not-up: src/server/orders/create.ts → src/trpc/react.tsx",
        "jobs-not-adapters: src/server/jobs/client.ts → src/server/rest/handler.ts",
        "lib-imports-nothing-of-ours: src/lib/money.ts → src/server/db/client.ts",
        "lib-no-react: src/lib/money.ts → node_modules/react",
        "no-circular: src/server/ledger/a.ts → src/server/ledger/b.ts",
        "not-to-unresolvable: src/server/orders/create.ts → ./missing",
        "server-no-react: src/server/jobs/client.ts → node_modules/react",
        "server-no-react: src/server/orders/create.ts → node_modules/react",
        "src-not-to-dev-dependencies: src/server/orders/create.ts → node_modules/vitest",
      ].sort(),
    );
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Layers point one way: app → trpc/rest → domain → db. Domain modules (src/server/<area>)
 * and lib never import from app/, trpc/, rest/ or React; lib imports nothing from server.
 */
const SRC = path.resolve("src");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specs.map((m) => (m[1] ?? m[2])!).map((s) => {
    if (s.startsWith("@/")) return path.join(SRC, s.slice(2));
    if (s.startsWith(".")) return path.resolve(path.dirname(file), s);
    return s;
  });
}

const rel = (p: string) => path.relative(SRC, p).split(path.sep).join("/");

function violations(): string[] {
  const out: string[] = [];
  for (const file of files(SRC)) {
    const from = rel(file);
    const isDomain = from.startsWith("server/") && !/^server\/(trpc|rest|boot)\//.test(from);
    const isLib = from.startsWith("lib/");
    const isAdapter = /^server\/(trpc|rest)\//.test(from);
    for (const target of importsOf(file)) {
      const to = path.isAbsolute(target) ? rel(target) : target;
      const bad =
        ((isDomain || isLib || isAdapter) && to.startsWith("app/")) ||
        ((isDomain || isLib) && /^server\/(trpc|rest)\//.test(to)) ||
        ((isDomain || isLib) && /^(react|react-dom)$|^@tanstack\/react-query|^components\//.test(to)) ||
        (isLib && to.startsWith("server/"));
      if (bad) out.push(`${from} → ${to}`);
    }
  }
  return out;
}

describe("architecture", () => {
  it("keeps layers pointing one way (domain never imports app, trpc, rest or React)", () => {
    expect(violations()).toEqual([]);
  });
});

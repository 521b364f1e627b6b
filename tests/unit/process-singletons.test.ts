import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { peekProcessSingleton, processSingleton, replaceProcessSingleton } from "@/lib/process-singletons";

const SRC = path.resolve(import.meta.dirname, "../../src");
const HOME = "lib/process-singletons.ts";

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|cts|js|mjs)$/.test(e.name) ? [full] : [];
  });
}

/** Lines under `root` (src/; outside the one home) that touch globalThis, as `file:line: text`. */
function globalUses(root = SRC): string[] {
  return sourceFiles(root).flatMap((file) => {
    const rel = path.relative(root, file).split(path.sep).join("/");
    if (rel === HOME) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) => (/\bglobalThis\b|\bglobal\.__|__steller/.test(line) ? [`src/${rel}:${i + 1}: ${line.trim()}`] : []));
  });
}

describe("process singletons", () => {
  it("nothing in src/ keeps state on globalThis except src/lib/process-singletons.ts (put it in Services, or name it there with its reason)", () => {
    expect(globalUses()).toEqual([]);
  });

  it("no module of src/ offers a configure…Runtime setter (settings come from the Services built at boot)", () => {
    const setters = sourceFiles(SRC).flatMap((file) =>
      /export\s+(async\s+)?function\s+configure\w*Runtime\b/.test(fs.readFileSync(file, "utf8")) ? [path.relative(SRC, file)] : [],
    );
    expect(setters).toEqual([]);
  });

  it("the scan sees a slot when there is one (it can fail)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "steller-singletons-"));
    try {
      fs.mkdirSync(path.join(root, "lib"));
      fs.writeFileSync(path.join(root, "lib", "process-singletons.ts"), "const home = globalThis;\n");
      fs.writeFileSync(path.join(root, "lib", "cache.ts"), "const g = globalThis as unknown as { __stellerCache?: number };\n");
      expect(globalUses(root)).toEqual(["src/lib/cache.ts:1: const g = globalThis as unknown as { __stellerCache?: number };"]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe("the home", () => {
    afterEach(() => replaceProcessSingleton("embedded-workers", undefined));

    it("makes one per process, on first use, and can be replaced or forgotten", () => {
      let made = 0;
      const a = processSingleton("embedded-workers", () => ({ running: ++made }));
      expect(processSingleton("embedded-workers", () => ({ running: ++made }))).toBe(a);
      expect(made).toBe(1);
      const b = { running: 7 };
      expect(replaceProcessSingleton("embedded-workers", b)).toBe(a);
      expect(peekProcessSingleton("embedded-workers")).toBe(b);
      replaceProcessSingleton("embedded-workers", undefined);
      expect(peekProcessSingleton("embedded-workers")).toBeUndefined();
    });
  });
});

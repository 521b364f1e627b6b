import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertPostgresCanReach, dataDirNotes, defaultDataDir } from "@/server/boot/data-dir";

// The embedded PostgreSQL's default home: outside the project (an open page under npm run dev
// reloaded itself while its data sat where the dev server's watchers could see it).

afterEach(() => vi.unstubAllEnvs());

describe("defaultDataDir", () => {
  it("is outside the project, one directory per checkout, stable across runs", () => {
    vi.stubEnv("XDG_DATA_HOME", "/srv/data-home");
    const a = defaultDataDir("/work/main");
    expect(a).toMatch(/^\/srv\/data-home\/steller\/main-[0-9a-f]{8}$/);
    expect(a.startsWith("/work/main")).toBe(false);
    expect(defaultDataDir("/work/main")).toBe(a);
    expect(defaultDataDir("/work/other/main")).not.toBe(a);
  });

  it("as root without XDG_DATA_HOME, lives under /var/lib (the postgres user cannot enter /root)", () => {
    vi.stubEnv("XDG_DATA_HOME", "");
    const uid = vi.spyOn(process, "getuid").mockReturnValue(0);
    try {
      if (process.platform !== "win32") expect(defaultDataDir("/work/main")).toMatch(/^\/var\/lib\/steller\/main-/);
    } finally {
      uid.mockRestore();
    }
  });
});

describe("dataDirNotes", () => {
  it("points at a database left in the old .data/ and at a data directory inside the project", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "steller-datadir-"));
    try {
      expect(dataDirNotes("/elsewhere/steller/x", project)).toEqual([]);
      fs.mkdirSync(path.join(project, ".data", "pg"), { recursive: true });
      fs.writeFileSync(path.join(project, ".data", "pg", "PG_VERSION"), "18\n");
      expect(dataDirNotes("/elsewhere/steller/x", project).join("\n")).toMatch(/older database in .*\.data\/pg is no longer used/);
      // Using the old directory on purpose: no "no longer used", but it is inside the project.
      const notes = dataDirNotes(path.join(project, ".data"), project);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/inside the project/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe("assertPostgresCanReach", () => {
  it("as root, names the parent the postgres user cannot pass", () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "steller-reach-"));
    const uid = vi.spyOn(process, "getuid").mockReturnValue(0);
    try {
      fs.chmodSync(base, 0o700);
      expect(() => assertPostgresCanReach(path.join(base, "steller", "pg"))).toThrow(new RegExp(`cannot enter ${base} \\(mode 700\\)`));
      fs.chmodSync(base, 0o755);
      expect(() => assertPostgresCanReach(path.join(base, "steller", "pg"))).not.toThrow();
    } finally {
      uid.mockRestore();
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});

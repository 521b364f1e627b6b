import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** No serious or critical axe violation on the page as it stands (named in the failure by `what`). */
export async function expectAccessible(page: Page, what: string) {
  // Judge the page at rest: a toast or dialog half-way through its fade-in has the contrast of
  // its current opacity, not of what the user reads (a toast's title failed color-contrast so).
  await page
    .waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getComputedTiming().endTime === Number.POSITIVE_INFINITY),
      undefined,
      { timeout: 5000 },
    )
    .catch(() => {});
  // After a client-side refresh (the environment switch) Next.js streams the <title> in again:
  // give it a moment; a page that never gets one still fails document-title below.
  await page.waitForFunction(() => document.title.trim() !== "", undefined, { timeout: 5000 }).catch(() => {});
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(", ")}`,
    );
  expect(bad, `accessibility of ${what}`).toEqual([]);
}

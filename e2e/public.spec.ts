import { expect, test } from "@playwright/test";

// What the top-level public/ serves, and the root layout pointing at it.

test("favicon, robots.txt and the Open Graph image are served and named by the page", async ({ page, request }) => {
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect((await ico.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // ICO header

  const svg = await request.get("/favicon.svg");
  expect(svg.status()).toBe(200);
  expect(svg.headers()["content-type"]).toContain("image/svg+xml");

  const robots = await request.get("/robots.txt");
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toMatch(/^User-agent: \*$[\s\S]*^Disallow: \/dashboard$/m);

  const og = await request.get("/og.png");
  expect(og.status()).toBe(200);
  const png = await og.body();
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]); // IHDR width, height
  expect(png.length).toBeLessThan(100_000);

  await page.goto("/login");
  await expect(page.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(page.locator('link[rel="icon"][type="image/svg+xml"]')).toHaveAttribute("href", /\/favicon\.svg/);
  const ogImage = await page.locator('meta[property="og:image"]').getAttribute("content");
  expect(ogImage).toMatch(/^https?:\/\/[^/]+\/og\.png$/);
  expect(await page.locator('meta[property="og:image:width"]').getAttribute("content")).toBe("1200");
});

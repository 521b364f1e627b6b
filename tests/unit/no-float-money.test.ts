import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Money is never a JS number. This scans src/ for number conversions applied to identifiers
 * named like money (amount, balance, price, cost, faceValue, total). A line that really is not
 * money (a row count called `total`, say) can say so with a `money-lint-ignore` comment.
 */

const MONEY = /amount|balance|price|cost|facevalue|total/i;
// An identifier path: order.price, input?.amount, rows[0].faceValue
const OPERAND = String.raw`[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[[^\]]*\])*`;
const CONVERSIONS: { name: string; re: RegExp }[] = [
  {
    name: "number conversion",
    re: new RegExp(
      String.raw`\b(?:Number(?:\.parseFloat|\.parseInt)?|parseFloat|parseInt|Math\.(?:round|floor|ceil|trunc|abs|min|max))\s*\(\s*(${OPERAND})`,
      "g",
    ),
  },
  { name: "unary plus", re: new RegExp(String.raw`(?:^|[=(,:?\[{!&|;]|\breturn|=>)\s*\+(?![+=])\s*(${OPERAND})`, "g") },
  { name: "decimal to number", re: new RegExp(String.raw`(${OPERAND})\)?\.toNumber\(\)`, "g") },
];

export function findFloatMoney(source: string, file = "<source>"): string[] {
  const found: string[] = [];
  source.split("\n").forEach((line, i) => {
    const code = line.trim();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*") || line.includes("money-lint-ignore")) return;
    for (const { name, re } of CONVERSIONS) {
      for (const m of line.matchAll(re)) {
        if (MONEY.test(m[1]!)) {
          found.push(`${file}:${i + 1}: ${name} of ${m[1]}: ${code}`);
          break;
        }
      }
    }
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => path.join(dir, f));
}

describe("money is never a JS number", () => {
  it("catches the ways an amount becomes a float", () => {
    const bad = [
      "const n = Number(amount);",
      "const p = parseFloat(order.price);",
      "total = +input.faceValue;",
      "return Math.round(balance * 100);",
      "const x = Number.parseFloat(row.totalCost)",
      "if (new Decimal(price).toNumber() > 3) {}",
      "fn(a, +wallet?.balance)",
      "const c = parseInt(items[0].cost, 10)",
    ];
    for (const line of bad) expect(findFloatMoney(line), line).toHaveLength(1);
  });

  it("leaves decimal-string handling and unrelated numbers alone", () => {
    const fine = [
      "const limit = Number(opts.limit);",
      "const a = parseAmount(amount);",
      "label = 'Total: ' + amount;",
      "total += 1;",
      "i++; x = y + price;",
      "// Number(amount) would be wrong",
      "const n = Number(row.total); // money-lint-ignore: a row count",
    ];
    for (const line of fine) expect(findFloatMoney(line), line).toEqual([]);
  });

  it("finds no such conversion anywhere under src/", () => {
    const root = path.resolve(import.meta.dirname, "../../src");
    const offenders = sourceFiles(root).flatMap((f) => findFloatMoney(readFileSync(f, "utf8"), path.relative(process.cwd(), f)));
    expect(offenders, `money converted to a JS number:\n${offenders.join("\n")}`).toEqual([]);
  });
});

"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** The one chart theme: brand series colour, quiet grid and axes, the page's font. */
const THEME = {
  series: ["#3d55d6", "#0f9f6e", "#d97706", "#64748b"],
  grid: "#e2e8f0",
  axis: "#475569",
  fontSize: 12,
} as const;

/**
 * Bars per category (a day, a product). Values are numbers for drawing only; labels come from
 * `format`, which gets the original row, so money is shown from its decimal string.
 */
export function BarSeriesChart<Row extends Record<string, unknown>>({
  data,
  x,
  y,
  label,
  formatX,
  formatValue,
  height = 220,
}: {
  data: Row[];
  x: keyof Row & string;
  y: keyof Row & string;
  label: string;
  formatX?: (value: string) => string;
  formatValue?: (row: Row) => string;
  height?: number;
}) {
  return (
    <figure aria-label={label} className="w-full">
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke={THEME.grid} />
          <XAxis
            dataKey={x as string}
            tickFormatter={formatX}
            tick={{ fill: THEME.axis, fontSize: THEME.fontSize }}
            tickLine={false}
            axisLine={{ stroke: THEME.grid }}
          />
          <YAxis tick={{ fill: THEME.axis, fontSize: THEME.fontSize }} tickLine={false} axisLine={false} width={48} allowDecimals={false} />
          <Tooltip
            cursor={{ fill: "#f1f5f9" }}
            labelFormatter={(v) => (formatX ? formatX(String(v)) : String(v))}
            formatter={(value, _name, item) => [formatValue ? formatValue(item.payload as Row) : String(value), label]}
            contentStyle={{ fontSize: THEME.fontSize, borderColor: THEME.grid, borderRadius: 6 }}
          />
          <Bar dataKey={y as string} fill={THEME.series[0]} radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}

import { getTableColumns, type Table } from "drizzle-orm";

/**
 * A row of `table` read by a raw statement (snake_case columns, driver values), through the
 * schema's own column mappers: the same values a query builder would give.
 */
export function rowFromDriver<T extends Table>(table: T, row: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(getTableColumns(table))) {
    const value = row[column.name];
    out[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T["$inferSelect"];
}

/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) for one text parameter cast to an array type
 * (`${pgArray(ids)}::text[]`): set-based statements over `unnest` of such parameters.
 */
export function pgArray(values: ReadonlyArray<string | number | null | undefined>): string {
  const element = (v: string | number | null | undefined) => (v === null || v === undefined ? "NULL" : `"${String(v).replace(/[\\"]/g, "\\$&")}"`);
  return `{${values.map(element).join(",")}}`;
}

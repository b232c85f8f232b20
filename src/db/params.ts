/** Collects parameters while a statement is built: `sql.p(value)` returns "$n". Values never enter SQL text. */
export class Params {
  readonly values: unknown[] = []
  p(v: unknown): string {
    this.values.push(v)
    return `$${this.values.length}`
  }
}

/**
 * A timestamp column as a keyset-cursor value: ISO 8601 in UTC to the microsecond, as PostgreSQL stores it. A cursor
 * cut to milliseconds (a JS Date) would skip rows written in the same millisecond, e.g. every row of one import batch,
 * which share their transaction's now().
 */
export const cursorTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

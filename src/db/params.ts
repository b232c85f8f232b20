/** Collects parameters while a statement is built: `sql.p(value)` returns "$n". Values never enter SQL text. */
export class Params {
  readonly values: unknown[] = []
  p(v: unknown): string {
    this.values.push(v)
    return `$${this.values.length}`
  }
}

/** A WHERE clause built from optional filters, with its parameters in order. */
export class Where {
  readonly #parts: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `sql` (with `?` for each value) ANDed to the others. */
  add(sql: string, ...values: unknown[]): this {
    this.#parts.push(sql);
    this.params.push(...values);
    return this;
  }

  /** Adds `column IN (?, …)` for the values (at least one). */
  in(column: string, values: readonly unknown[]): this {
    return this.add(`${column} IN (${values.map(() => "?").join(", ")})`, ...values);
  }

  /** "WHERE a AND b", or "" without filters. */
  toString(): string {
    return this.#parts.length ? `WHERE ${this.#parts.join(" AND ")}` : "";
  }
}

/**
 * Statements built once with the query builder and run many times with fresh values. Building a
 * query (Kysely's builders, then its compiler) cost more CPU than SQLite spent running it, on every
 * call of the hot-path stores. A statement is written with named placeholders, compiled on first use
 * for this database's dialect, and afterwards only its parameters are filled in.
 */
import { type Compilable, CompiledQuery } from "kysely";

/** Marks a parameter by name while the statement is built; no real value starts with it. */
const MARK = "\u0000outloud-param:";

/** A placeholder for the builder: typed as the column's type, replaced by a value at each run. */
export type Param = <T>(name: string) => T;

const param: Param = <T>(name: string) => `${MARK}${name}` as unknown as T;

export class PreparedSql<Names extends string> {
  private compiled: { sql: string; slots: Array<{ name: Names } | { value: unknown }> } | undefined;

  constructor(private readonly build: (p: Param) => Compilable) {}

  /** The statement with `values` in place of its placeholders (literals of the builder kept as they are). */
  with(values: Record<Names, unknown>): CompiledQuery {
    this.compiled ??= this.compile();
    const { sql, slots } = this.compiled;
    const parameters = slots.map((s) => ("name" in s ? values[s.name] : s.value));
    return CompiledQuery.raw(sql, parameters);
  }

  private compile(): NonNullable<PreparedSql<Names>["compiled"]> {
    const { sql, parameters } = this.build(param).compile();
    const slots = parameters.map((value) =>
      typeof value === "string" && value.startsWith(MARK)
        ? { name: value.slice(MARK.length) as Names }
        : { value },
    );
    return { sql, slots };
  }
}

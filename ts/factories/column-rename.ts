// SPDX-License-Identifier: Apache-2.0
/**
 * `column-rename` (a transform): `rules` tried in order against each column name, the first
 * that matches deciding its new name, as in the original: `direct` renames one column
 * (optionally casting it), `pattern` rewrites a name by regex with `$1`... (first match).
 * Used from other configs as `transforms: [/path/of/this/node]`.
 */

import { quoteIdent } from '../query/sql-text.js';
import { ConfigError, type Infer, list, obj, schemaOf, str } from './config.js';
import { defineFactory } from './registry.js';

/** The casts of a direct rule (the original's names, any case) and the SQL of each. */
const CASTS: Readonly<Record<string, (column: string) => string>> = {
  // The original casts to Timestamp(Second, UTC): numbers are epoch seconds, text is parsed.
  timestamp: (c) => `arrow_cast(${c}, 'Timestamp(Second, Some("UTC"))')`,
  float64: (c) => `CAST(${c} AS DOUBLE)`,
  float32: (c) => `CAST(${c} AS REAL)`,
  int64: (c) => `CAST(${c} AS BIGINT)`,
  int32: (c) => `CAST(${c} AS INT)`,
  utf8: (c) => `CAST(${c} AS VARCHAR)`,
  string: (c) => `CAST(${c} AS VARCHAR)`,
  boolean: (c) => `CAST(${c} AS BOOLEAN)`,
};

const cast = schemaOf((v, path, origin) => {
  const name = str.parse(v, path, origin);
  if (!(name.toLowerCase() in CASTS)) {
    throw new ConfigError(
      `${path}: unknown cast ${origin ? 'from the environment' : JSON.stringify(name)} (known: ${Object.keys(CASTS).join(', ')})`,
    );
  }
  return name.toLowerCase();
});

const direct = obj({ type: str, from: str, to: str }, { cast });
const pattern = obj({ type: str, pattern: str, replacement: str });

const rule = schemaOf((v, path, origin) => {
  const type = (v as { type?: unknown } | null)?.type;
  if (type === 'direct') return { ...direct.parse(v, path, origin), type: 'direct' as const };
  if (type === 'pattern') return { ...pattern.parse(v, path, origin), type: 'pattern' as const };
  throw new ConfigError(`${path}.type: expected direct or pattern`);
});

const config = obj({ rules: list(rule) });
type Config = Infer<typeof config>;

/** The new name of `column` and its cast, by the first rule that matches it (pure). */
function renamed(c: Config, column: string): { name: string; cast?: string } {
  for (const r of c.rules) {
    if (r.type === 'direct') {
      if (column === r.from) return { name: r.to, ...(r.cast ? { cast: r.cast } : {}) };
    } else {
      const regex = new RegExp(r.pattern);
      if (regex.test(column)) return { name: column.replace(regex, r.replacement) };
    }
  }
  return { name: column };
}

/** The SELECT list that renames (and casts) `columns` by the rules (pure). */
export function renameSelect(c: Config, columns: readonly string[]): string {
  const seen = new Set<string>();
  return columns
    .map((column) => {
      const { name, cast: to } = renamed(c, column);
      if (seen.has(name))
        throw new ConfigError(`rules: two columns would be named ${JSON.stringify(name)}`);
      seen.add(name);
      const value = to
        ? (CASTS[to] as (c: string) => string)(quoteIdent(column))
        : quoteIdent(column);
      return `${value} AS ${quoteIdent(name)}`;
    })
    .join(', ');
}

export const columnRename = defineFactory({
  name: 'column-rename',
  description: 'a transform renaming (and optionally casting) columns by direct and regex rules',
  config,
  check(c) {
    for (const [i, r] of c.rules.entries()) {
      if (r.type === 'pattern') {
        try {
          new RegExp(r.pattern);
        } catch (err) {
          throw new ConfigError(`rules[${i}].pattern: ${(err as Error).message}`);
        }
      }
    }
  },
  transform(c, input, columns, label) {
    return {
      kind: 'view',
      label,
      sql: `SELECT ${renameSelect(c, columns)} FROM input`,
      tables: { input },
    };
  },
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `column-rename` (a transform): `rules` applied in order to every column name; `direct`
 * renames one column (optionally casting it), `pattern` rewrites names by regex with `$1`...
 * Used from other configs as `transforms: [/path/of/this/node]`.
 */

import { quoteIdent } from '../query/sql-text.js';
import { ConfigError, type Infer, list, obj, oneOf, schemaOf, str } from './config.js';
import { defineFactory } from './registry.js';

const rule = schemaOf((v, path) => {
  const type = (v as { type?: unknown } | null)?.type;
  if (type === 'direct') {
    return obj(
      { type: oneOf('direct'), from: str, to: str },
      { cast: oneOf('timestamp', 'float64', 'int64', 'utf8') },
    ).parse(v, path);
  }
  if (type === 'pattern')
    return obj({ type: oneOf('pattern'), pattern: str, replacement: str }).parse(v, path);
  throw new ConfigError(`${path}.type: expected direct or pattern`);
});

const config = obj({ rules: list(rule) });
type Config = Infer<typeof config>;

const SQL_TYPES = {
  timestamp: 'TIMESTAMP',
  float64: 'DOUBLE',
  int64: 'BIGINT',
  utf8: 'VARCHAR',
} as const;

/** The SELECT list that renames (and casts) `columns` by the rules (pure). */
export function renameSelect(c: Config, columns: readonly string[]): string {
  const seen = new Set<string>();
  return columns
    .map((column) => {
      let name = column;
      let cast: keyof typeof SQL_TYPES | undefined;
      for (const r of c.rules) {
        if (r.type === 'direct') {
          if (name === r.from) {
            name = r.to;
            cast = 'cast' in r ? r.cast : undefined;
          }
        } else {
          name = name.replace(new RegExp(r.pattern), r.replacement);
        }
      }
      if (seen.has(name))
        throw new ConfigError(`rules: two columns would be named ${JSON.stringify(name)}`);
      seen.add(name);
      const value = cast ? `CAST(${quoteIdent(column)} AS ${SQL_TYPES[cast]})` : quoteIdent(column);
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

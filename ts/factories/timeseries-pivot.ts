// SPDX-License-Identifier: Apache-2.0
/**
 * `timeseries-pivot`: for each match of `pattern` (a pond glob or URL: `series:///sites/*`,
 * `csv:///in/*.csv`), each listed column becomes `alias.column` (alias: the first wildcard
 * capture, else the last path component); the result is every distinct time LEFT JOINed
 * with each input; a column an input lacks is NULL. `transforms` apply to each input first.
 */

import type { TableSpec } from '../query/spec.js';
import { quoteIdent } from '../query/sql-text.js';
import { ConfigError, list, obj, str } from './config.js';
import {
  MATCHED_INPUT,
  matchSpec,
  pattern,
  patternOf,
  pondMatches,
  transformPaths,
} from './patterns.js';
import { defineFactory } from './registry.js';
import { applyTransforms, columnsOf } from './transforms.js';

const config = obj(
  { pattern: pattern(MATCHED_INPUT), columns: list(str) },
  { time_column: str, transforms: transformPaths },
);

/** The pivot of inputs `m0`, `m1`... (pure). */
export function pivotSql(
  inputs: readonly { alias: string; columns: readonly string[] }[],
  wanted: readonly string[],
  time: string,
): string {
  const t = quoteIdent(time);
  const times = inputs.map((_, i) => `SELECT ${t} FROM m${i}`).join(' UNION ');
  const select = [`times.${t} AS ${t}`];
  inputs.forEach((inp, i) => {
    for (const c of wanted) {
      const name = quoteIdent(`${inp.alias}.${c}`);
      select.push(
        inp.columns.includes(c)
          ? `m${i}.${quoteIdent(c)} AS ${name}`
          : `CAST(NULL AS DOUBLE) AS ${name}`,
      );
    }
  });
  const joins = inputs.map((_, i) => ` LEFT JOIN m${i} ON times.${t} = m${i}.${t}`).join('');
  return `SELECT ${select.join(', ')} FROM (${times}) AS times${joins} ORDER BY 1`;
}

export const timeseriesPivot = defineFactory({
  name: 'timeseries-pivot',
  description: 'one column per match and listed column (alias.column), over every distinct time',
  config,
  check(c) {
    if (c.columns.length === 0) throw new ConfigError('columns: at least one column is needed');
  },
  async table(c, ctx) {
    const time = c.time_column ?? 'timestamp';
    const tables: Record<string, TableSpec> = {};
    const inputs: { alias: string; columns: string[] }[] = [];
    const aliases = new Set<string>();
    const input = patternOf(c.pattern);
    for await (const { np, captures } of pondMatches(input, ctx.root)) {
      if (np.node.kind !== 'file') continue;
      const alias = captures[0] || np.path.slice(np.path.lastIndexOf('/') + 1);
      if (aliases.has(alias))
        throw new ConfigError(`${ctx.path}: two matches have the alias ${JSON.stringify(alias)}`);
      aliases.add(alias);
      const spec = await applyTransforms(await matchSpec(input, np, ctx.plan), c.transforms, ctx);
      tables[`m${inputs.length}`] = spec;
      inputs.push({ alias, columns: await columnsOf(spec) });
    }
    if (inputs.length === 0) return { kind: 'empty', label: ctx.path };
    return {
      kind: 'view',
      label: ctx.path,
      sql: pivotSql(inputs, c.columns, time),
      tables,
      orderBy: time,
    };
  },
});

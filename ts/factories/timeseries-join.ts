// SPDX-License-Identifier: Apache-2.0
/**
 * `timeseries-join`: inputs with the same scope are unioned by name (a replaced device
 * stitched into one timeline, each input trimmed to its `range`); different scopes are FULL
 * OUTER JOINed on the time column, which is coalesced; every other column becomes
 * `Scope.Column`; rows are ordered by time. An input matching nothing contributes nothing.
 */

import { ErrorCode, PondError } from '../errors.js';
import type { TableSpec } from '../query/spec.js';
import { quoteIdent, quoteLiteral } from '../query/sql-text.js';
import { ConfigError, type Infer, list, obj, str } from './config.js';
import { pattern, transformPaths, VIEW_INPUT } from './patterns.js';
import { defineFactory, type FactoryContext } from './registry.js';
import { rfc3339 } from './rfc3339.js';
import { resolvePattern } from './sql-derived.js';
import { applyTransforms, columnsOf } from './transforms.js';

const input = obj(
  { pattern: pattern(VIEW_INPUT) },
  { scope: str, range: obj({}, { begin: rfc3339, end: rfc3339 }), transforms: transformPaths },
);
const config = obj({ inputs: list(input) }, { time_column: str });
type Input = Infer<typeof input>;

/** The default scope of an input: its pattern's last component without extension. */
export function defaultScope(pattern: string): string {
  const last = pattern.split(/[/?]/).filter(Boolean).pop() ?? pattern;
  return last.replace(/\.[^.]*$/, '') || last;
}

/** The join of scopes (`s0`, `s1`... with their columns) on `time` (pure). */
export function joinSql(
  scopes: readonly { name: string; columns: readonly string[] }[],
  time: string,
): string {
  const t = quoteIdent(time);
  const alias = (i: number) => `s${i}`;
  const times = scopes.map((_, i) => `${alias(i)}.${t}`);
  const select = [`COALESCE(${times.join(', ')}) AS ${t}`];
  scopes.forEach((scope, i) => {
    for (const c of scope.columns) {
      if (c !== time)
        select.push(`${alias(i)}.${quoteIdent(c)} AS ${quoteIdent(`${scope.name}.${c}`)}`);
    }
  });
  let from = alias(0);
  for (let i = 1; i < scopes.length; i++) {
    const left = i === 1 ? times[0] : `COALESCE(${times.slice(0, i).join(', ')})`;
    from += ` FULL OUTER JOIN ${alias(i)} ON ${left} = ${times[i]}`;
  }
  return `SELECT ${select.join(', ')} FROM ${from} ORDER BY 1`;
}

function trimSql(range: NonNullable<Input['range']>, time: string): string {
  const t = quoteIdent(time);
  const where = [
    range.begin ? `${t} >= ${quoteLiteral(range.begin)}` : null,
    range.end ? `${t} < ${quoteLiteral(range.end)}` : null,
  ].filter(Boolean);
  return `SELECT * FROM input${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

async function inputSpec(inp: Input, ctx: FactoryContext, time: string): Promise<TableSpec | null> {
  let spec: TableSpec;
  try {
    spec = await resolvePattern(inp.pattern, ctx.plan, false);
  } catch (err) {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  }
  spec = await applyTransforms(spec, inp.transforms, ctx);
  if (inp.range)
    spec = {
      kind: 'view',
      label: inp.pattern,
      sql: trimSql(inp.range, time),
      tables: { input: spec },
    };
  return spec;
}

export const timeseriesJoin = defineFactory({
  name: 'timeseries-join',
  description:
    'series joined on time: same scope unioned (trimmed to ranges), scopes full-outer-joined, columns Scope.Column',
  config,
  check(c) {
    if (c.inputs.length === 0) throw new ConfigError('inputs: at least one input is needed');
  },
  async table(c, ctx) {
    const time = c.time_column ?? 'timestamp';
    const byScope = new Map<string, TableSpec[]>();
    for (const inp of c.inputs) {
      const scope = inp.scope ?? defaultScope(inp.pattern);
      const list = byScope.get(scope) ?? [];
      byScope.set(scope, list);
      const spec = await inputSpec(inp, ctx, time);
      if (spec) list.push(spec);
    }
    const scopes = [...byScope.entries()].filter(([, specs]) => specs.length > 0);
    if (scopes.length === 0) return { kind: 'empty', label: ctx.path };
    const tables: Record<string, TableSpec> = {};
    const shapes: { name: string; columns: string[] }[] = [];
    for (const [i, [name, specs]] of scopes.entries()) {
      const spec: TableSpec =
        specs.length === 1
          ? (specs[0] as TableSpec)
          : { kind: 'union', label: name, inputs: specs };
      const columns = await columnsOf(spec);
      if (!columns.includes(time)) {
        throw new PondError(
          ErrorCode.INVALID_CONFIG,
          `${ctx.path}: scope ${name} has no time column ${JSON.stringify(time)}`,
        );
      }
      tables[`s${i}`] = spec;
      shapes.push({ name, columns });
    }
    return { kind: 'view', label: ctx.path, sql: joinSql(shapes, time), tables, orderBy: time };
  },
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `timeseries-join`: inputs with the same scope are unioned by name (a replaced device
 * stitched into one timeline, each input trimmed to its `range`, `[begin, end)`); different
 * scopes are FULL OUTER JOINed on the time column, which is coalesced; every other column
 * becomes `Scope.Column`, or keeps its name for an input without a scope (which is a group of
 * its own, as in the original); rows are ordered by time. Patterns are pond globs or URLs
 * (`series:///data/station_a`, `csv:///in/*.csv`, `host+csv:///...`). An input matching
 * nothing contributes nothing.
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

/** A group of inputs joined on time: `name` prefixes its columns (`Scope.Column`); null keeps
 * them as they are (an input without `scope`, as in the original). */
export interface JoinScope {
  readonly name: string | null;
  readonly columns: readonly string[];
}

/** The join of scopes (`s0`, `s1`... with their columns) on `time` (pure). */
export function joinSql(scopes: readonly JoinScope[], time: string): string {
  const t = quoteIdent(time);
  const alias = (i: number) => `s${i}`;
  const times = scopes.map((_, i) => `${alias(i)}.${t}`);
  const select = [`COALESCE(${times.join(', ')}) AS ${t}`];
  const named = new Map<string, string>();
  scopes.forEach((scope, i) => {
    for (const c of scope.columns) {
      if (c === time) continue;
      const name = scope.name === null ? c : `${scope.name}.${c}`;
      const other = named.get(name);
      if (other !== undefined) {
        throw new ConfigError(
          `inputs: column ${JSON.stringify(name)} comes from two inputs (${other} and ${scope.name ?? 'an input without scope'}); give them different scopes`,
        );
      }
      named.set(name, scope.name ?? 'an input without scope');
      select.push(`${alias(i)}.${quoteIdent(c)} AS ${quoteIdent(name)}`);
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
    // Inputs sharing a scope are one group; each input without a scope is a group of its own.
    const groups = new Map<string, { name: string | null; specs: TableSpec[] }>();
    for (const [i, inp] of c.inputs.entries()) {
      const key = inp.scope === undefined ? `#${i}` : `=${inp.scope}`;
      const group = groups.get(key) ?? { name: inp.scope ?? null, specs: [] };
      groups.set(key, group);
      const spec = await inputSpec(inp, ctx, time);
      if (spec) group.specs.push(spec);
    }
    const scopes = [...groups.values()].filter((g) => g.specs.length > 0);
    if (scopes.length === 0) return { kind: 'empty', label: ctx.path };
    const tables: Record<string, TableSpec> = {};
    const shapes: JoinScope[] = [];
    for (const [i, { name, specs }] of scopes.entries()) {
      const label = name ?? (specs[0] as TableSpec).label;
      const spec: TableSpec =
        specs.length === 1 ? (specs[0] as TableSpec) : { kind: 'union', label, inputs: specs };
      const columns = await columnsOf(spec);
      if (!columns.includes(time)) {
        throw new PondError(
          ErrorCode.INVALID_CONFIG,
          `${ctx.path}: ${name === null ? `input ${label}` : `scope ${name}`} has no time column ${JSON.stringify(time)}`,
        );
      }
      tables[`s${i}`] = spec;
      shapes.push({ name, columns });
    }
    let sql: string;
    try {
      sql = joinSql(shapes, time);
    } catch (err) {
      if (err instanceof ConfigError) err.message = `${ctx.path}: ${err.message}`;
      throw err;
    }
    return { kind: 'view', label: ctx.path, sql, tables, orderBy: time };
  },
});

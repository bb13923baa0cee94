// SPDX-License-Identifier: Apache-2.0
/**
 * `synthetic-timeseries` (the seeds' scribble): deterministic series for tests and demos,
 * with the original's formulas. With t = seconds since `start`, P = `period` in seconds and
 * φ = `phase` in radians, each point is the sum of its components:
 * - sine: `offset + amplitude·sin(2πt/P + φ)`;
 * - square: `offset + amplitude·sign(sin(2πt/P + φ))`, sign(0) = +1 (+amplitude at t = 0);
 * - triangle: u = frac(t/P + φ/2π); `offset + amplitude·(u < ½ ? 4u − 1 : 3 − 4u)`, so with
 *   φ = 0 it starts at −amplitude, peaks at P/2 and is back at −amplitude at P;
 * - line: `offset + slope·t`.
 * `amplitude`, `offset`, `phase` and `slope` default to 0; `period` is required for the
 * periodic types. Rows run from `start` every `interval` (truncated to whole milliseconds)
 * while at most `end`, so an `end` on the grid is included: Timestamp(ms, UTC), then one
 * Float64 per point in config order. Compiled into SQL over `generate_series` that computes
 * in the original's order of operations, so nothing is stored.
 *
 * Where the original is lax, pond refuses: an unparseable `period` or `interval` (the
 * original silently uses 3600 s), keys a component's type does not have (ignored there), a
 * zero `period` (a division by zero there).
 */

import { quoteIdent } from '../query/sql-text.js';
import {
  ConfigError,
  type Infer,
  list,
  num,
  obj,
  oneOf,
  type Schema,
  schemaOf,
  str,
} from './config.js';
import { durationNanos, durationSeconds } from './duration.js';
import { defineFactory } from './registry.js';
import { parseRfc3339, rfc3339 } from './rfc3339.js';

const MAX_ROWS = 50_000_000;
const TYPES = ['sine', 'triangle', 'square', 'line'] as const;

const duration = schemaOf((v, path, origin): string | number => {
  if (typeof v === 'number' || typeof v === 'string') return v;
  throw new ConfigError(
    `${path}: expected a duration such as 15m or 1h30m, got ${origin ? 'a value from the environment' : JSON.stringify(v)}`,
  );
});

const periodic = obj(
  { type: oneOf('sine', 'triangle', 'square'), period: duration },
  { amplitude: num, offset: num, phase: num },
);
const line = obj({ type: oneOf('line') }, { slope: num, offset: num });

type Periodic = Infer<typeof periodic>;
type Line = Infer<typeof line>;
type Component = Periodic | Line;

/** `err` with a note on how the original differs appended (pond refuses what it lets by). */
function unlikeTheOriginal(err: unknown, note: string): unknown {
  if (err instanceof ConfigError) err.message = `${err.message} (${note}; pond refuses it)`;
  return err;
}

/** A component, checked by the keys its type has (a stray key is an error naming it). */
const component: Schema<Component> = schemaOf((v, path, origin) => {
  const type = (v as { type?: unknown } | null)?.type;
  const parse = <T>(schema: Schema<T>): T => {
    try {
      return schema.parse(v, path, origin);
    } catch (err) {
      if (!(err instanceof ConfigError && err.message.includes('unknown key'))) throw err;
      throw unlikeTheOriginal(err, `the original ignores keys a ${type} component does not have`);
    }
  };
  if (type === 'line') return parse(line);
  if (type === 'sine' || type === 'triangle' || type === 'square') {
    if (typeof v === 'object' && v !== null && !('period' in v)) {
      throw new ConfigError(`${path}: a ${type} component needs a period (e.g. period: 1h)`);
    }
    return parse(periodic);
  }
  throw new ConfigError(
    `${path}.type: expected one of ${TYPES.join(', ')}, got ${type === undefined ? 'nothing' : JSON.stringify(type)}`,
  );
});

const point = obj({ name: str, components: list(component) });
const config = obj(
  { start: rfc3339, end: rfc3339, interval: duration, points: list(point) },
  { time_column: str },
);
type Config = Infer<typeof config>;

/** A number as a Float64 SQL literal that reads back exactly. */
function lit(x: number): string {
  if (Object.is(x, -0)) return '(-0.0)';
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) return x < 0 ? `(${x}.0)` : `${x}.0`;
  const text = String(x);
  return /e/i.test(text) ? `CAST('${text}' AS DOUBLE)` : x < 0 ? `(${text})` : text;
}

/** A duration in nanoseconds; the original reads one it cannot parse as an hour. */
function nanosOf(value: string | number, where: string): bigint {
  try {
    return durationNanos(value, where);
  } catch (err) {
    throw unlikeTheOriginal(err, 'the original silently reads an unparseable duration as 1h');
  }
}

/** The period in seconds (as the original's `as_secs_f64`); positive. */
function periodSeconds(c: Periodic, where: string): number {
  const nanos = nanosOf(c.period, `${where}.period`);
  if (nanos <= 0n)
    throw new ConfigError(`${where}.period: must be positive, got ${JSON.stringify(c.period)}`);
  return durationSeconds(nanos);
}

/** SQL for one component at `t` (Float64 seconds since start), in the original's order. */
export function componentSql(c: Component, where: string): string {
  const offset = lit(c.offset ?? 0);
  if (c.type === 'line') return `(${offset} + ${lit(c.slope ?? 0)} * t)`;
  const a = lit(c.amplitude ?? 0);
  const p = lit(periodSeconds(c, where));
  const phase = lit(c.phase ?? 0);
  const angle = `(2.0 * pi() * t / ${p} + ${phase})`;
  switch (c.type) {
    case 'sine':
      return `(${offset} + ${a} * sin(${angle}))`;
    case 'square':
      return `(${offset} + ${a} * CASE WHEN sin(${angle}) >= 0.0 THEN 1.0 ELSE -1.0 END)`;
    case 'triangle': {
      // frac(x) as x - floor(x): one rounding of the same value as Rust's rem_euclid(1.0).
      const x = `(t / ${p} + ${phase} / (2.0 * pi()))`;
      const u = `(${x} - floor(${x}))`;
      return `(${offset} + ${a} * CASE WHEN ${u} < 0.5 THEN 4.0 * ${u} - 1.0 ELSE 3.0 - 4.0 * ${u} END)`;
    }
  }
}

/** The grid: first row, step and row count (pure); INVALID_CONFIG naming the key. */
export function syntheticGrid(c: Config): { startMs: number; stepMs: number; rows: number } {
  const startMs = parseRfc3339(c.start, 'start');
  const endMs = parseRfc3339(c.end, 'end');
  if (endMs <= startMs) throw new ConfigError(`end: ${c.end} is not after start ${c.start}`);
  const stepMs = Number(nanosOf(c.interval, 'interval') / 1_000_000n);
  if (stepMs <= 0) {
    throw new ConfigError(
      `interval: must be at least 1ms (it is truncated to whole milliseconds), got ${JSON.stringify(c.interval)}`,
    );
  }
  const rows = Math.floor((endMs - startMs) / stepMs) + 1;
  if (rows > MAX_ROWS) throw new ConfigError(`interval: ${rows} rows is more than ${MAX_ROWS}`);
  return { startMs, stepMs, rows };
}

function checkPoints(c: Config): void {
  if (c.points.length === 0) throw new ConfigError('points: at least one point is needed');
  const names = new Set<string>();
  c.points.forEach((p, i) => {
    if (p.name === '') throw new ConfigError(`points[${i}].name: must not be empty`);
    if (names.has(p.name))
      throw new ConfigError(`points[${i}].name: duplicate point ${JSON.stringify(p.name)}`);
    if (p.name === (c.time_column ?? 'timestamp'))
      throw new ConfigError(`points[${i}].name: ${JSON.stringify(p.name)} is the time column`);
    names.add(p.name);
    if (p.components.length === 0)
      throw new ConfigError(`points[${i}].components: at least one component is needed`);
  });
}

/** The SQL that generates the whole series (pure: unit-tested without the engine). */
export function syntheticSql(c: Config): string {
  checkPoints(c);
  const { startMs, stepMs, rows } = syntheticGrid(c);
  const columns = c.points.map((p, i) => {
    const terms = p.components.map((comp, j) =>
      componentSql(comp, `points[${i}].components[${j}]`),
    );
    return `CAST(${terms.join(' + ')} AS DOUBLE) AS ${quoteIdent(p.name)}`;
  });
  const timeColumn = quoteIdent(c.time_column ?? 'timestamp');
  return [
    `SELECT arrow_cast(to_timestamp_millis(CAST(${startMs} + i * ${stepMs} AS BIGINT)), 'Timestamp(Millisecond, Some("UTC"))') AS ${timeColumn}`,
    ...columns.map((col) => `, ${col}`),
    ` FROM (SELECT value AS i, CAST(value * ${stepMs} AS DOUBLE) / 1000.0 AS t FROM generate_series(0, ${rows - 1}))`,
  ].join('');
}

export const syntheticTimeseries = defineFactory({
  name: 'synthetic-timeseries',
  description:
    'deterministic series: sums of sine, triangle, square and line components, start and end inclusive',
  config,
  check(c) {
    syntheticSql(c);
  },
  async table(c, ctx) {
    return {
      kind: 'view',
      label: ctx.path,
      sql: syntheticSql(c),
      tables: {},
      orderBy: c.time_column ?? 'timestamp',
    };
  },
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `synthetic-timeseries` (the seeds' scribble): deterministic series for tests and demos.
 * Each point is a sum of components evaluated at t = seconds since `start`:
 * sine `a·sin(2πt/p + φ) + o`, triangle `a·(2/π)·asin(sin(2πt/p + φ)) + o`,
 * square `a·sgn(sin(2πt/p + φ)) + o` (sgn 0 = 1), line `s·t + o`.
 * Rows from `start` to `end` inclusive every `interval`; Timestamp(ms, UTC) + Float64 columns.
 * Compiled into SQL over `generate_series`, so no data is stored.
 */

import { quoteIdent } from '../query/sql-text.js';
import { ConfigError, type Infer, list, num, obj, oneOf, schemaOf, str } from './config.js';
import { parseDuration } from './duration.js';
import { defineFactory } from './registry.js';

const MAX_ROWS = 50_000_000;

const durationValue = schemaOf((v, path): string | number => {
  if (typeof v === 'number' || typeof v === 'string') return v;
  throw new ConfigError(`${path}: expected a duration such as 1h or a number of seconds`);
});

const component = obj(
  { type: oneOf('sine', 'triangle', 'square', 'line') },
  { amplitude: num, period: durationValue, offset: num, phase: num, slope: num },
);
const point = obj({ name: str, components: list(component) });
const config = obj(
  { start: str, end: str, interval: durationValue, points: list(point) },
  { time_column: str },
);

type Config = Infer<typeof config>;
type Component = Infer<typeof component>;

function time(value: string, where: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new ConfigError(`${where}: ${JSON.stringify(value)} is not an RFC 3339 time`);
  return ms;
}

/** SQL for one component at `t` (seconds since start). */
export function componentSql(c: Component, where: string): string {
  const a = c.amplitude ?? 1;
  const o = c.offset ?? 0;
  if (c.type === 'line') return `(${c.slope ?? 0} * t + ${o})`;
  if (c.period === undefined)
    throw new ConfigError(`${where}: a ${c.type} component needs a period`);
  const p = parseDuration(c.period, `${where}.period`) / 1000;
  const angle = `(2 * pi() * t / ${p} + ${c.phase ?? 0})`;
  switch (c.type) {
    case 'sine':
      return `(${a} * sin(${angle}) + ${o})`;
    case 'triangle':
      return `(${a} * (2 / pi()) * asin(sin(${angle})) + ${o})`;
    case 'square':
      return `(${a} * CASE WHEN sin(${angle}) >= 0 THEN 1.0 ELSE -1.0 END + ${o})`;
  }
}

/** The SQL that generates the whole series (pure: unit-tested without the engine). */
export function syntheticSql(c: Config): string {
  const start = time(c.start, 'start');
  const end = time(c.end, 'end');
  const step = parseDuration(c.interval, 'interval');
  if (end < start) throw new ConfigError('end: must not be before start');
  const rows = Math.floor((end - start) / step) + 1;
  if (rows > MAX_ROWS) throw new ConfigError(`interval: ${rows} rows is more than ${MAX_ROWS}`);
  const names = new Set<string>();
  const columns = c.points.map((p, i) => {
    if (names.has(p.name))
      throw new ConfigError(`points[${i}].name: duplicate point ${JSON.stringify(p.name)}`);
    names.add(p.name);
    const terms = p.components.map((comp, j) =>
      componentSql(comp, `points[${i}].components[${j}]`),
    );
    return `CAST(${terms.length ? terms.join(' + ') : '0'} AS DOUBLE) AS ${quoteIdent(p.name)}`;
  });
  const timeColumn = quoteIdent(c.time_column ?? 'timestamp');
  return [
    `SELECT arrow_cast(to_timestamp_millis(CAST(${start} + i * ${step} AS BIGINT)), 'Timestamp(Millisecond, Some("UTC"))') AS ${timeColumn}`,
    ...columns.map((col) => `, ${col}`),
    ` FROM (SELECT value AS i, CAST(value AS DOUBLE) * ${step / 1000} AS t FROM generate_series(0, ${rows - 1}))`,
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

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond detect-overlaps` (REFERENCE-ORIGINAL §7.2): where the event times of several series
 * interleave. The points of every matched series (its rows' event times in milliseconds,
 * temporal bounds applied) are merged into one timeline, in time order (ties by origin, then
 * as read); runs of consecutive points from one series are RUNs, and a change of series within
 * 60 s of the previous point opens an OVERLAP that gathers the points within 60 s after it.
 * The timeline rules are the original's, kept exactly (`analyzeTimeline` is pure); the
 * reading works where the original's selected no version (docs/queries.md).
 */

import { type RecordBatch, tableFromIPC } from 'apache-arrow';
import { ErrorCode, invalidArgument, notFound, PondError } from '../errors.js';
import { explain, query } from '../native/engine.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { NodePath, WD } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { type PlanContext, specForNode } from './planner.js';
import { TIME_COLUMN_CANDIDATES, timeColumnOf } from './series.js';
import type { TableSpec } from './spec.js';
import { quoteIdent } from './sql-text.js';
import { dataVersions } from './temporal-bounds.js';

/** Points within this many ms of each other may overlap (the original's threshold). */
export const OVERLAP_THRESHOLD_MS = 60_000;

export type TimelineSegment =
  | {
      readonly kind: 'run';
      readonly origin: number;
      readonly start: number;
      readonly end: number;
      readonly points: number;
    }
  | {
      readonly kind: 'overlap';
      readonly start: number;
      readonly end: number;
      /** `[ms, origin]` of each point the overlap gathered. */
      readonly points: readonly (readonly [number, number])[];
    };

interface Run {
  readonly origin: number;
  readonly start: number;
  readonly end: number;
  readonly points: number;
}

/**
 * The original's timeline over points sorted by time: `times[i]` (ms) came from series
 * `origins[i]`. After an overlap the run starts afresh at the point after the switch, so
 * points the overlap looked ahead at are read again.
 */
export function analyzeTimeline(
  times: ArrayLike<number>,
  origins: ArrayLike<number>,
): TimelineSegment[] {
  const out: TimelineSegment[] = [];
  let run = null as Run | null;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    const origin = origins[i] as number;
    if (!run) {
      run = { origin, start: t, end: t, points: 1 };
      continue;
    }
    if (origin === run.origin) {
      run = { ...run, end: t, points: run.points + 1 };
      continue;
    }
    const prev = i > 0 ? (times[i - 1] as number) : t;
    if (t - prev <= OVERLAP_THRESHOLD_MS) {
      const points: [number, number][] = [
        [prev, run.origin],
        [t, origin],
      ];
      for (
        let j = i + 1;
        j < times.length && (times[j] as number) - t <= OVERLAP_THRESHOLD_MS;
        j++
      ) {
        points.push([times[j] as number, origins[j] as number]);
      }
      if (run.points > 1) {
        out.push({
          kind: 'run',
          origin: run.origin,
          start: run.start,
          end: prev,
          points: run.points,
        });
      }
      const end = (points[points.length - 1] as [number, number])[0];
      out.push({ kind: 'overlap', start: prev, end, points });
      run = null;
    } else {
      out.push({
        kind: 'run',
        origin: run.origin,
        start: run.start,
        end: prev,
        points: run.points,
      });
      run = { origin, start: t, end: t, points: 1 };
    }
  }
  if (run !== null) out.push({ kind: 'run', ...run });
  return out;
}

/** One version's (or a computed series') points, for `--verbose`. */
export interface VersionPoints {
  readonly version: number | null;
  readonly points: number;
  readonly min: number | null;
  readonly max: number | null;
}

/** A matched series and its points. */
export interface Origin {
  readonly path: string;
  readonly times: readonly number[];
  readonly versions: readonly VersionPoints[];
}

export interface OverlapAnalysis {
  readonly origins: readonly Origin[];
  readonly totalPoints: number;
  readonly overlappingPoints: number;
  readonly timeline: readonly TimelineSegment[];
}

/** The whole analysis of the origins' points. */
export function analyzeOverlaps(origins: readonly Origin[]): OverlapAnalysis {
  const total = origins.reduce((n, o) => n + o.times.length, 0);
  const times = new Float64Array(total);
  const from = new Int32Array(total);
  let k = 0;
  origins.forEach((o, i) => {
    for (const t of o.times) {
      times[k] = t;
      from[k++] = i;
    }
  });
  const order = Array.from({ length: total }, (_, i) => i);
  order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const sortedTimes = order.map((i) => times[i] as number);
  const sortedOrigins = order.map((i) => from[i] as number);
  const timeline = analyzeTimeline(sortedTimes, sortedOrigins);
  const overlapping = timeline.reduce(
    (n, s) => n + (s.kind === 'overlap' ? s.points.length : 0),
    0,
  );
  return { origins, totalPoints: total, overlappingPoints: overlapping, timeline };
}

/** The series a pattern names: every series a glob matches, or the one a path names. */
async function seriesOf(root: WD, pattern: string): Promise<NodePath[]> {
  if (!hasWildcard(pattern)) {
    const np = await root.find(pattern);
    if (!np) throw notFound(pattern);
    if (!isSeries(np)) {
      const type = np.node.kind === 'file' ? np.node.ref.entryType : np.node.kind;
      throw invalidArgument(
        `${np.path} is ${type}: detect-overlaps reads series (table:physical:series, table:dynamic)`,
        np.path,
      );
    }
    return [np];
  }
  await root.requireGlobPrefix(pattern);
  const out: NodePath[] = [];
  for await (const { np } of root.glob(pattern)) if (isSeries(np)) out.push(np);
  return out;
}

function isSeries(np: NodePath): boolean {
  if (np.node.kind !== 'file') return false;
  const type = np.node.ref.entryType;
  return type === EntryType.TablePhysicalSeries || type === EntryType.TableDynamic;
}

/** The event-time column of a series: recorded, a computed table's order, else detected. */
async function timeColumn(np: NodePath, spec: TableSpec): Promise<{ name: string; type: string }> {
  const schema = await explain('SELECT * FROM s LIMIT 0', { s: spec }, { verify: false });
  const fields = new Map(
    schema
      .slice(0, schema.indexOf('\nPlan:'))
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as const),
  );
  const versions = np.node.kind === 'file' ? dataVersions(await np.node.file.versions()) : [];
  const recorded = timeColumnOf(versions[versions.length - 1]?.extendedAttributes);
  const declared = spec.kind === 'view' ? spec.orderBy : undefined;
  const name = [recorded, declared, ...TIME_COLUMN_CANDIDATES].find(
    (c) => c && /^(Timestamp|Int64$)/.test(fields.get(c) ?? ''),
  );
  if (!name) {
    throw new PondError(
      ErrorCode.INVALID_DATA,
      `${np.path}: no event-time column (a timestamp or Int64 column: the recorded one, or one of ${TIME_COLUMN_CANDIDATES.join(', ')})`,
      { path: np.path },
    );
  }
  return { name, type: fields.get(name) as string };
}

const MS_DIVISOR: Readonly<Record<string, bigint>> = {
  Second: -1000n,
  s: -1000n,
  Millisecond: 1n,
  ms: 1n,
  Microsecond: 1000n,
  us: 1000n,
  µs: 1000n,
  Nanosecond: 1_000_000n,
  ns: 1_000_000n,
};

/** Stored values of a column of `type` as ms (floor); Int64 time columns hold µs. */
function toMs(type: string): (raw: bigint) => number {
  const unit = /^Timestamp\(\s*([A-Za-zµ]+)/.exec(type)?.[1];
  const d = unit ? (MS_DIVISOR[unit] ?? 1000n) : 1000n;
  if (d < 0n) return (raw) => Number(raw * -d);
  return (raw) => {
    const q = raw / d;
    return Number(raw % d < 0n ? q - 1n : q);
  };
}

async function* batches(sql: string, specs: Record<string, TableSpec>): AsyncIterable<RecordBatch> {
  for await (const chunk of query(sql, specs, { format: 'ipc' }))
    yield* tableFromIPC(chunk).batches;
}

/** The event times (ms) `spec` holds in `column`, and their count and range. */
async function readTimes(
  spec: TableSpec,
  column: { name: string; type: string },
  into: number[],
): Promise<Omit<VersionPoints, 'version'>> {
  const col = quoteIdent(column.name);
  const sql = `SELECT CAST(${col} AS BIGINT) AS t FROM s WHERE ${col} IS NOT NULL`;
  const convert = toMs(column.type);
  let points = 0;
  let min: number | null = null;
  let max: number | null = null;
  for await (const batch of batches(sql, { s: spec })) {
    const values = batch.getChild('t');
    if (!values) continue;
    for (const raw of values) {
      const ms = convert(BigInt(raw as bigint));
      into.push(ms);
      points++;
      min = min === null || ms < min ? ms : min;
      max = max === null || ms > max ? ms : max;
    }
  }
  return { points, min, max };
}

/** One series' points: per stored version when `perVersion`, else in one query. */
async function originOf(np: NodePath, plan: PlanContext, perVersion: boolean): Promise<Origin> {
  const whole = await specForNode(np, plan);
  const column = await timeColumn(np, whole);
  const times: number[] = [];
  const versions: VersionPoints[] = [];
  const stored =
    perVersion && np.node.kind === 'file' && np.node.ref.entryType === EntryType.TablePhysicalSeries
      ? dataVersions(await np.node.file.versions())
      : null;
  if (!stored) {
    versions.push({ version: null, ...(await readTimes(whole, column, times)) });
  } else {
    for (const v of stored) {
      const spec = await specForNode(np, plan, v.version);
      versions.push({ version: v.version, ...(await readTimes(spec, column, times)) });
    }
  }
  return { path: np.path, times, versions };
}

/**
 * Read the series `patterns` name (each path or glob once, in order) and analyse their
 * timeline. Only reads: no transaction is opened.
 */
export async function detectOverlaps(
  root: WD,
  patterns: readonly string[],
  plan: PlanContext,
  options: { perVersion?: boolean } = {},
): Promise<OverlapAnalysis> {
  const seen = new Set<string>();
  const nodes: NodePath[] = [];
  for (const pattern of patterns) {
    for (const np of await seriesOf(root, pattern)) {
      if (seen.has(np.path)) continue;
      seen.add(np.path);
      nodes.push(np);
    }
  }
  const origins: Origin[] = [];
  for (const np of nodes) origins.push(await originOf(np, plan, options.perVersion ?? false));
  return analyzeOverlaps(origins);
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Incremental rollups for temporal-reduce. Aggregates are kept as decomposable partials
 * per bucket (sum, count, min, max; avg = sum / count). Buckets older than the newest data
 * minus `allowed_lateness` are sealed: their partials are written once to
 * `$POND/cache/rollups/` and never recomputed; each read computes only the open buckets,
 * whose time filter skips every older version. A new version with data in a sealed bucket
 * is an error naming the command that rebuilds.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import type { ParquetFileSpec, TableSpec } from '../query/spec.js';
import { quote } from './timeseries-join.js';

/** One output column: `<column>.<agg>`, from partial columns. */
export interface Measure {
  readonly name: string;
  readonly agg: 'avg' | 'min' | 'max' | 'sum' | 'count';
  /** The source column; null for count(*). */
  readonly column: string | null;
}

interface State {
  readonly signature: string;
  /** Buckets starting before this (µs) are sealed. */
  readonly watermark: number | null;
  /** Versions (content paths) already folded into the sealed partials. */
  readonly folded: readonly string[];
  readonly sealed: string | null;
}

const p = (i: number, kind: string) => `p${i}_${kind}`;

/** Partial aggregates per bucket (pure). */
export function partialSql(
  measures: readonly Measure[],
  time: string,
  resolutionMs: number,
  fromMicros: number | null,
): string {
  const t = quote(time);
  const cols = [
    // date_bin widens zoned timestamps to ns; buckets are µs UTC like every pond time.
    `arrow_cast(date_bin(INTERVAL '${resolutionMs} milliseconds', ${t}), 'Timestamp(Microsecond, Some("UTC"))') AS ${t}`,
  ];
  measures.forEach((m, i) => {
    const c = m.column === null ? '*' : quote(m.column);
    if (m.agg === 'avg')
      cols.push(`sum(${c}) AS ${p(i, 'sum')}`, `count(${c}) AS ${p(i, 'count')}`);
    else cols.push(`${m.agg}(${c}) AS ${p(i, m.agg)}`);
  });
  const where = fromMicros === null ? '' : ` WHERE ${t} >= to_timestamp_micros(${fromMicros})`;
  return `SELECT ${cols.join(', ')} FROM input${where} GROUP BY 1`;
}

/** Final values from partials (pure). */
export function finalSql(measures: readonly Measure[], time: string, from: string): string {
  const cols = [quote(time)];
  measures.forEach((m, i) => {
    const value =
      m.agg === 'avg'
        ? `CAST(${p(i, 'sum')} AS DOUBLE) / CAST(${p(i, 'count')} AS DOUBLE)`
        : p(i, m.agg);
    cols.push(`${value} AS ${quote(m.name)}`);
  });
  return `SELECT ${cols.join(', ')} FROM ${from} ORDER BY 1`;
}

async function parquetBytes(sql: string, tables: Record<string, TableSpec>): Promise<Buffer> {
  const { query } = await import('../native/engine.js');
  const chunks: Buffer[] = [];
  for await (const c of query(sql, tables, { format: 'parquet' })) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Write `bytes` to `dir/<prefix>-<hash>.parquet` (named by content: readers cache Parquet
 * footers by path, so a path must never change content). */
async function writeContentFile(dir: string, prefix: string, bytes: Buffer): Promise<string> {
  const path = join(
    dir,
    `${prefix}-${createHash('sha256').update(bytes).digest('hex').slice(0, 24)}.parquet`,
  );
  if (!existsSync(path)) {
    await writeFile(`${path}.tmp`, bytes);
    await rename(`${path}.tmp`, path);
  }
  return path;
}

async function writeState(file: string, state: State): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(state));
  await rename(`${file}.tmp`, file);
}

export interface RollupRequest {
  readonly label: string;
  /** The reduce node's id (its rollup cache files start with it). */
  readonly node: string;
  readonly inputs: readonly TableSpec[];
  readonly measures: readonly Measure[];
  readonly time: string;
  readonly resolutionMs: number;
  readonly latenessMs: number;
  readonly cacheDir: string;
  /** Identifies this output and resolution of this reduce node. */
  readonly key: string;
}

/** Files of inputs that are stored versions with event-time bounds, else null. */
function versionedFiles(inputs: readonly TableSpec[]): ParquetFileSpec[] | null {
  const files: ParquetFileSpec[] = [];
  for (const spec of inputs) {
    if (spec.kind !== 'parquet') return null;
    for (const f of spec.files) {
      if (f.minTime == null || f.maxTime == null) return null;
      files.push(f);
    }
  }
  return files;
}

/** The rollup spec, sealing buckets as data ages; null when inputs are not versioned series. */
export async function incrementalRollup(req: RollupRequest): Promise<TableSpec | null> {
  const files = versionedFiles(req.inputs);
  if (!files || files.length === 0) return null;
  const input: TableSpec =
    req.inputs.length === 1
      ? (req.inputs[0] as TableSpec)
      : { kind: 'union', label: req.label, inputs: req.inputs };
  const dir = join(req.cacheDir, 'rollups');
  const stateFile = join(dir, `${req.key}.json`);
  const signature = createHash('sha256')
    .update(JSON.stringify([req.measures, req.time, req.resolutionMs, req.latenessMs]))
    .digest('hex');
  let state: State = { signature, watermark: null, folded: [], sealed: null };
  if (existsSync(stateFile)) {
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as State;
    if (saved.signature === signature && (!saved.sealed || existsSync(saved.sealed))) state = saved;
  }
  const folded = new Set(state.folded);
  for (const f of files) {
    if (
      !folded.has(f.path) &&
      state.watermark !== null &&
      (f.minTime as number) < state.watermark
    ) {
      throw new PondError(
        ErrorCode.INVALID_DATA,
        `${req.label}: a new version has data from ${new Date((f.minTime as number) / 1000).toISOString()}, before the sealed buckets end (${new Date(state.watermark / 1000).toISOString()}); rebuild with: pond rebuild PATH-OF-THE-REDUCE-NODE (node ${req.node})`,
      );
    }
  }
  const newest = Math.max(...files.map((f) => f.maxTime as number));
  const res = req.resolutionMs * 1000;
  const candidate = Math.floor((newest - req.latenessMs * 1000) / res) * res;
  const watermark = state.watermark === null ? candidate : Math.max(state.watermark, candidate);
  const t = quote(req.time);
  let open: TableSpec = {
    kind: 'view',
    label: `${req.label} (open buckets)`,
    sql: partialSql(req.measures, req.time, req.resolutionMs, state.watermark),
    tables: { input },
  };
  if (state.watermark === null || watermark > state.watermark) {
    // Scan the source once from the old watermark: the partials below the new watermark are
    // sealed (appended to the sealed file), the rest answer this read.
    await mkdir(dir, { recursive: true });
    const fresh = await writeContentFile(
      dir,
      `${req.key}-fresh`,
      await parquetBytes(open.sql, { input }),
    );
    // Earlier reads' open partials are superseded.
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.startsWith(`${req.key}-fresh-`) && path !== fresh) await rm(path, { force: true });
    }
    const freshSpec: TableSpec = {
      kind: 'parquet',
      label: `${req.label} (open buckets)`,
      files: [{ path: fresh }],
    };
    const newly = `SELECT * FROM fresh WHERE ${t} < to_timestamp_micros(${watermark})`;
    const tables: Record<string, TableSpec> = { fresh: freshSpec };
    let sql = newly;
    if (state.sealed) {
      tables.sealed = { kind: 'parquet', label: 'sealed', files: [{ path: state.sealed }] };
      sql = `SELECT * FROM sealed UNION ALL BY NAME ${newly}`;
    }
    const sealed = await writeContentFile(dir, req.key, await parquetBytes(sql, tables));
    const previous = state.sealed;
    state = { signature, watermark, folded: files.map((f) => f.path), sealed };
    await writeState(stateFile, state);
    // Readers that planned with the previous file may still scan it; it is small, and
    // `pond rebuild` or the next sealing removes it.
    if (previous && previous !== sealed) await rm(previous, { force: true }).catch(() => undefined);
    open = {
      kind: 'view',
      label: `${req.label} (open buckets)`,
      sql: `SELECT * FROM fresh WHERE ${t} >= to_timestamp_micros(${watermark})`,
      tables: { fresh: freshSpec },
    };
  } else if (files.some((f) => !folded.has(f.path))) {
    state = { ...state, folded: files.map((f) => f.path) };
    await writeState(stateFile, state);
  }
  const tables: Record<string, TableSpec> = { open };
  let from = 'open';
  if (state.sealed) {
    tables.sealed = {
      kind: 'parquet',
      label: `${req.label} (sealed buckets)`,
      files: [{ path: state.sealed }],
    };
    from = '(SELECT * FROM sealed UNION ALL BY NAME SELECT * FROM open)';
  }
  return {
    kind: 'view',
    label: req.label,
    sql: finalSql(req.measures, req.time, from),
    tables,
    orderBy: req.time,
  };
}

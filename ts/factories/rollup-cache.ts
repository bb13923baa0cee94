// SPDX-License-Identifier: Apache-2.0
/**
 * The rollup cache of a temporal-reduce output and resolution, in `$POND/cache/rollups/`:
 * a JSON state file `<key>.json` and Parquet files of partials named `<key>-<hash>.parquet`
 * by their content (the engine caches Parquet footers by path, so a path never changes
 * content). The files hold disjoint buckets: sealed segments for every bucket before the
 * open range, then one open file from `open.from` on, computed over every folded version.
 * A read with nothing new queries these files and writes nothing. A read with new versions
 * merges partials of the new versions alone (the only source rows it scans) into a new open
 * file; once enough sealed buckets have gathered in the open file they are cut into a
 * segment, and too many segments are compacted into one.
 *
 * The cache is never trusted: the state file carries a checksum of itself, and each
 * partial file is re-hashed against the hash in its name before a query uses it. A cache
 * that fails either check is rebuilt from the inputs.
 */

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import type { ParquetFileSpec, TableSpec } from '../query/spec.js';
import {
  type FoldedInput,
  finalSql,
  type InputVersions,
  type Measure,
  mergeSql,
  newVersions,
  partialSql,
  sliceSql,
  watermarkFor,
} from './rollup.js';
import { fieldsOf } from './transforms.js';

/** Bump when the state or the partial files change shape: older caches are then ignored. */
const LAYOUT = 3 as const;
/** Sealed bucket slots an open file carries before they are cut into a segment. */
const CUT_BUCKETS = 256;
/** More sealed segments than this are compacted into one. */
const MAX_SEGMENTS = 16;

type Field = Awaited<ReturnType<typeof fieldsOf>>[number];

/** The persisted state (`<key>.json`). */
interface State {
  readonly layout: typeof LAYOUT;
  /** Hash of what the partials are (measures, buckets, lateness). */
  readonly signature: string;
  /** Buckets starting before this (µs) are sealed. */
  readonly watermark: number;
  /** The versions folded into the partials, per input. */
  readonly inputs: readonly FoldedInput[];
  /** The columns of the inputs when they were folded (so an unchanged read skips a query). */
  readonly fields: readonly Field[];
  /** Partials of every bucket before `open.from`. */
  readonly segments: readonly string[];
  /** Partials of every bucket from `open.from` (µs, at most the watermark) on. */
  readonly open: { readonly path: string; readonly from: number };
  /** Hash of the rest of the state, so an altered state file is not used. */
  readonly check?: string;
}

export interface RollupRequest {
  readonly label: string;
  /** The reduce node's id (its rollup cache files start with it). */
  readonly node: string;
  /** The reduce node's path, for the rebuild hint in errors. */
  readonly nodePath: string;
  readonly inputs: readonly TableSpec[];
  /** The measures for the inputs' columns; may throw if the columns do not fit. */
  readonly measuresOf: (fields: readonly Field[]) => Measure[];
  readonly time: string;
  readonly resolutionMs: number;
  readonly latenessMs: number;
  readonly cacheDir: string;
  /** Identifies this output and resolution of this reduce node. */
  readonly key: string;
}

/** Inputs that are stored versions with event-time bounds, else null. */
function versionedInputs(inputs: readonly TableSpec[]): InputVersions[] | null {
  const out: InputVersions[] = [];
  for (const spec of inputs) {
    if (spec.kind !== 'parquet') return null;
    if (spec.files.some((f) => f.minTime == null || f.maxTime == null)) return null;
    out.push({ label: spec.label, files: spec.files });
  }
  return out;
}

function unionOf(label: string, inputs: readonly TableSpec[]): TableSpec {
  return inputs.length === 1 ? (inputs[0] as TableSpec) : { kind: 'union', label, inputs };
}

/** The inputs restricted to their new versions (inputs without any are left out). */
function deltaOf(label: string, inputs: readonly TableSpec[], added: ParquetFileSpec[][]) {
  const specs: TableSpec[] = [];
  inputs.forEach((spec, i) => {
    const files = added[i] ?? [];
    if (spec.kind === 'parquet' && files.length > 0) specs.push({ ...spec, files });
  });
  return unionOf(`${label} (new versions)`, specs);
}

function folded(current: readonly InputVersions[]): FoldedInput[] {
  return current.map((i) => ({ label: i.label, paths: i.files.map((f) => f.path) }));
}

function sameInputs(a: readonly FoldedInput[], b: readonly FoldedInput[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function filesOf(state: State): string[] {
  return [...state.segments, state.open.path];
}

function sha(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The state's checksum: over its JSON without the checksum. */
function checkOf(state: State): string {
  const { check: _, ...rest } = state;
  return sha(JSON.stringify(rest));
}

async function readState(file: string): Promise<State | null> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as State;
    return state.layout === LAYOUT && state.check === checkOf(state) ? state : null;
  } catch {
    return null;
  }
}

async function writeState(file: string, state: State): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify({ ...state, check: checkOf(state) }));
  await rename(`${file}.tmp`, file);
}

/** A partial file's name: the key and the first 24 hex digits of its bytes' SHA-256. */
const PARTIAL = /-([0-9a-f]{24})\.parquet$/;

/** Whether `path` is one of `key`'s partial files in `dir` and holds the bytes its name
 * was made from (the hash covers the size too). */
async function intact(dir: string, key: string, path: string): Promise<boolean> {
  const named = PARTIAL.exec(path);
  if (!named || dirname(path) !== dir || !basename(path).startsWith(`${key}-`)) return false;
  const bytes = await readFile(path).catch(() => null);
  return bytes !== null && sha(bytes).slice(0, 24) === named[1];
}

/** Run `sql` and write its result to `dir/<key>-<hash>.parquet`, named by content. */
async function writeQuery(
  dir: string,
  key: string,
  sql: string,
  tables: Record<string, TableSpec>,
): Promise<string> {
  const { query } = await import('../native/engine.js');
  const chunks: Buffer[] = [];
  for await (const c of query(sql, tables, { format: 'parquet' })) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  const path = join(dir, `${key}-${sha(bytes).slice(0, 24)}.parquet`);
  const existing = await readFile(path).catch(() => null);
  if (!existing?.equals(bytes)) {
    await writeFile(`${path}.tmp`, bytes);
    await rename(`${path}.tmp`, path);
  }
  return path;
}

const partialFiles = (label: string, paths: readonly string[]): TableSpec => ({
  kind: 'parquet',
  label,
  files: paths.map((path) => ({ path })),
});

/** Remove this key's partial files that `keep` does not name; `from` limits the candidates
 * (else the whole directory is swept). Readers that planned with a removed file fail and
 * can retry; the files are small. */
async function removeUnused(
  dir: string,
  key: string,
  keep: readonly string[],
  from: readonly string[] | null,
): Promise<void> {
  const own = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{24}\\.parquet$`);
  const candidates =
    from ?? (await readdir(dir)).filter((n) => own.test(n)).map((n) => join(dir, n));
  const kept = new Set(keep);
  await Promise.all(
    candidates
      .filter((p) => !kept.has(p))
      .map((p) => rm(p, { force: true }).catch(() => undefined)),
  );
}

function lateData(req: RollupRequest, file: ParquetFileSpec, watermark: number): PondError {
  return new PondError(
    ErrorCode.INVALID_DATA,
    `${req.label}: a new version has data from ${new Date((file.minTime as number) / 1000).toISOString()}, before the sealed buckets end (${new Date(watermark / 1000).toISOString()}); rebuild with: pond rebuild ${req.nodePath}`,
  );
}

/** What arrived since the cache was written. */
interface Change {
  readonly saved: State;
  /** The new versions, as one table with its columns; null when nothing is new. */
  readonly delta: {
    readonly files: readonly ParquetFileSpec[];
    readonly spec: TableSpec;
    readonly fields: Field[];
  } | null;
}

/** The change since `saved`; null when there is no cache or a folded version is gone. */
async function changeSince(
  req: RollupRequest,
  saved: State | null,
  current: readonly InputVersions[],
): Promise<Change | null> {
  const added = saved ? newVersions(saved.inputs, current) : null;
  if (!saved || !added) return null;
  if (added.every((a) => a.length === 0)) return { saved, delta: null };
  const spec = deltaOf(req.label, req.inputs, added);
  return { saved, delta: { files: added.flat(), spec, fields: await fieldsOf(spec) } };
}

/** The inputs' columns from the cache, when the new versions cannot have changed them:
 * nothing is new, or one input gained versions after its folded ones with no new column
 * (its columns are those of its versions in order). */
function cachedFields(change: Change | null, now: readonly FoldedInput[]): Field[] | null {
  if (!change) return null;
  const { saved, delta } = change;
  if (!delta) return sameInputs(saved.inputs, now) ? [...saved.fields] : null;
  const [before, after] = [saved.inputs[0], now[0]];
  const appended =
    saved.inputs.length === 1 &&
    now.length === 1 &&
    before !== undefined &&
    after !== undefined &&
    before.label === after.label &&
    before.paths.every((p, i) => after.paths[i] === p);
  const known = new Set(saved.fields.map((f) => f.name));
  return appended && delta.fields.every((f) => known.has(f.name)) ? [...saved.fields] : null;
}

interface Plan {
  readonly measures: readonly Measure[];
  readonly newest: number;
  readonly input: TableSpec;
  readonly write: (sql: string, tables: Record<string, TableSpec>) => Promise<string>;
}

/** Every bucket computed from every version: one unfiltered scan (a time filter on every
 * row costs more than splitting its small result after). */
async function computeAll(
  req: RollupRequest,
  plan: Plan,
): Promise<Pick<State, 'watermark' | 'segments' | 'open'>> {
  const { time, resolutionMs: res } = req;
  const watermark = watermarkFor(plan.newest, res, req.latenessMs, null);
  const all = partialFiles(`${req.label} (all buckets)`, [
    await plan.write(partialSql(plan.measures, time, res), { input: plan.input }),
  ]);
  const segment = await plan.write(sliceSql('all', time, { below: watermark }), { all });
  const open = await plan.write(sliceSql('all', time, { from: watermark }), { all });
  return { watermark, segments: [segment], open: { path: open, from: watermark } };
}

/** The open file merged with partials of the new versions alone (the only source rows
 * read); sealed buckets stay in the open file until there are enough to cut a segment. */
async function fold(
  req: RollupRequest,
  plan: Plan,
  prior: State,
  delta: NonNullable<Change['delta']>,
): Promise<Pick<State, 'watermark' | 'segments' | 'open'>> {
  const { time, resolutionMs: res } = req;
  const { measures, write } = plan;
  const sealedFrom = prior.watermark;
  const late = delta.files.find((f) => (f.minTime as number) < sealedFrom);
  if (late) throw lateData(req, late, sealedFrom);
  const open = partialFiles(`${req.label} (open buckets)`, [prior.open.path]);
  let segments = [...prior.segments];
  let from = prior.open.from;
  if ((sealedFrom - from) / (res * 1000) >= CUT_BUCKETS) {
    segments.push(await write(sliceSql('open', time, { below: sealedFrom }), { open }));
    from = sealedFrom;
  }
  const names = new Set(delta.fields.map((f) => f.name));
  const needed = [time, ...measures.flatMap((m) => (m.column === null ? [] : [m.column]))];
  const merged = needed.every((c) => names.has(c))
    ? await write(
        mergeSql(
          measures,
          time,
          `(${sliceSql('open', time, { from })} UNION ALL BY NAME ${partialSql(measures, time, res, { from: sealedFrom })})`,
        ),
        { open, input: delta.spec },
      )
    : // The new versions lack a measured column: recompute the open file's range instead.
      await write(partialSql(measures, time, res, { from }), { input: plan.input });
  if (segments.length > MAX_SEGMENTS) {
    segments = [await write('SELECT * FROM sealed', { sealed: partialFiles('sealed', segments) })];
  }
  return {
    watermark: watermarkFor(plan.newest, res, req.latenessMs, sealedFrom),
    segments,
    open: { path: merged, from },
  };
}

/** The subdirectory of the pond's cache that holds rollups. */
const ROLLUP_DIR = 'rollups';

/**
 * Drop every cached rollup of the temporal-reduce node `nodeId` (all its outputs and
 * resolutions: their keys begin with the node id), so its next read recomputes every
 * bucket. Returns how many files went.
 */
export async function dropRollups(cacheDir: string, nodeId: string): Promise<number> {
  const dir = join(cacheDir, ROLLUP_DIR);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
    n.startsWith(`${nodeId}-`),
  );
  await Promise.all(names.map((n) => rm(join(dir, n), { force: true })));
  return names.length;
}

/** The rollup of the inputs, sealing buckets as data ages; null when the inputs are not
 * versioned series (their reduce is then computed on each read). */
export async function incrementalRollup(req: RollupRequest): Promise<TableSpec | null> {
  const current = versionedInputs(req.inputs);
  if (!current || current.every((i) => i.files.length === 0)) return null;
  const dir = join(req.cacheDir, ROLLUP_DIR);
  const stateFile = join(dir, `${req.key}.json`);
  const input = unionOf(req.label, req.inputs);
  const inputs = folded(current);
  const found = await changeSince(req, await readState(stateFile), current);
  const fields = cachedFields(found, inputs) ?? (await fieldsOf(input));
  const measures = req.measuresOf(fields);
  const signature = sha(JSON.stringify([measures, req.time, req.resolutionMs, req.latenessMs]));
  const files = found?.saved.signature === signature ? filesOf(found.saved) : null;
  const usable =
    files !== null && (await Promise.all(files.map((p) => intact(dir, req.key, p)))).every(Boolean);
  const change = usable ? found : null;
  let state = change?.saved;
  if (!state || change?.delta || !sameInputs(state.inputs, inputs)) {
    const prior = change?.saved ?? null;
    const delta = change?.delta ?? null;
    await mkdir(dir, { recursive: true });
    const plan: Plan = {
      measures,
      input,
      newest: Math.max(...current.flatMap((i) => i.files.map((f) => f.maxTime as number))),
      write: (sql, tables) => writeQuery(dir, req.key, sql, tables),
    };
    const base = { layout: LAYOUT, signature, inputs, fields };
    if (!prior) state = { ...base, ...(await computeAll(req, plan)) };
    else if (!delta) state = { ...prior, ...base };
    else state = { ...base, ...(await fold(req, plan, prior, delta)) };
    await writeState(stateFile, state);
    await removeUnused(dir, req.key, filesOf(state), prior ? filesOf(prior) : null);
  }
  return {
    kind: 'view',
    label: req.label,
    sql: finalSql(measures, req.time, 'partials'),
    tables: { partials: partialFiles(`${req.label} (rollup partials)`, filesOf(state)) },
    orderBy: req.time,
  };
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Resolves the table names of a SQL statement to `TableSpec`s: pond paths and globs
 * (`'/ok/alternate.series'`, `'/s/*.series'`), pond format URLs (`csv:///in/r.csv`), and
 * host URLs (`host+csv+gzip:///tmp/x.csv.gz`, which need no pond). Names the planner does
 * not recognise are left to the engine, which reports them as unknown tables.
 */

import { join as hostJoin } from 'node:path';
import { ErrorCode, invalidArgument, notFound, PondError } from '../errors.js';
import { HISTORY_SCHEME, historyTable } from '../history/tables.js';
import { parquetInfo, type TableRef, tableReferences } from '../native/engine.js';
import { EntryType, isTableType } from '../tinyfs/entry-type.js';
import type { NodePath, WD } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { hostUrlPath } from '../tinyfs/host-path.js';
import type { VersionRecord } from '../tinyfs/persistence.js';
import { cachedFormat } from './format-cache.js';
import { expandHostGlob } from './host-glob.js';
import { type Archetype, rawParquetSpec } from './raw-parquet.js';
import { chooseTimeColumn, TIME_COLUMN_CANDIDATES, timeColumnOf } from './series.js';
import type { ParquetFileSpec, TableSpec } from './spec.js';
import { boundedSpec, boundsOf, dataVersions, isMarker } from './temporal-bounds.js';
import {
  isParsedFormat,
  isUrl,
  PARSED_FORMAT_TABLE,
  PARSED_FORMATS,
  type ParsedFormat,
  type PondUrl,
  parseUrl,
} from './url.js';

export interface PlanContext {
  /** The pond to resolve paths in; null when there is none (host URLs only). */
  readonly root: WD | null;
  /** Root directory of `host+` URLs. */
  readonly hostRoot: string;
  /** Where parsed formats of pond files are cached; null for none. */
  readonly cacheDir: string | null;
  /** Names bound to a path or URL (e.g. `source` for `cat --sql`). */
  readonly bindings?: Readonly<Record<string, string>>;
  /** Computed tables being resolved (outermost first), to report cycles. */
  readonly visiting?: readonly string[];
  /**
   * Host mode: the `--hostmount` mount points of `root` (the host namespace). A `host+` URL
   * at or below one names nodes of `root`, as the same URL without `host+` does.
   */
  readonly hostMounts?: readonly string[];
}

function needPond(ctx: PlanContext, what: string): WD {
  if (!ctx.root) {
    throw new PondError(
      ErrorCode.NOT_A_POND,
      `${what} is a pond path, but no pond is selected (set POND or --pond)`,
    );
  }
  return ctx.root;
}

/** Specs for every table the statement reads that names pond data. */
export async function planTables(
  sql: string,
  ctx: PlanContext,
): Promise<Record<string, TableSpec>> {
  const specs: Record<string, TableSpec> = {};
  for (const ref of await tableReferences(sql)) {
    if (ref.table in specs) continue;
    const spec = await specForRef(ref, ctx);
    if (spec) specs[ref.table] = spec;
  }
  return specs;
}

async function specForRef(ref: TableRef, ctx: PlanContext): Promise<TableSpec | null> {
  if (ref.schema) return null;
  const target = ctx.bindings?.[ref.table] ?? ref.table;
  if (target.startsWith(HISTORY_SCHEME)) return historyTable(target, needPond(ctx, target));
  const pinned = pinnedVersion(target);
  if (pinned) {
    const { np, url } = await pinnedNode(pinned.name, ctx);
    return url
      ? specForNodeUrl(url, pinned.name, [np], ctx, pinned.version)
      : specForNode(np, ctx, pinned.version);
  }
  if (isUrl(target)) return specForUrl(mountedUrl(target, ctx), ctx);
  if (target.startsWith('/') || hasWildcard(target))
    return specForPondPattern(target, needPond(ctx, target), ctx);
  return null;
}

/** `'/a/s.series@v3'` (or a URL ending so): one stored version of one node. */
function pinnedVersion(target: string): { name: string; version: number } | null {
  const m = /^(.+)@v(\d+)$/.exec(target);
  if (!m) return null;
  return { name: m[1] as string, version: Number(m[2]) };
}

async function pinnedNode(
  name: string,
  ctx: PlanContext,
): Promise<{ np: NodePath; url: PondUrl | null }> {
  const url = isUrl(name) ? queryableUrl(name) : null;
  if (url?.host)
    throw invalidArgument(`${name}: @vK selects a version of a pond file, not a host file`);
  const path = url ? url.path : name;
  if (hasWildcard(path)) {
    throw invalidArgument(`${name}@v: a version (@vK) selects from one file, not a pattern`, path);
  }
  const nodes = await matchNodes(needPond(ctx, name), path);
  return { np: nodes[0] as NodePath, url };
}

/** The spec of one pond node: tables and series as Parquet versions; computed tables by
 * their factory. */
export async function specForNode(
  np: NodePath,
  ctx: PlanContext,
  version?: number,
): Promise<TableSpec> {
  const node = np.node;
  if (node.kind !== 'file') {
    throw invalidArgument(`${np.path} is a ${node.kind}, not a table`, np.path);
  }
  if (node.file.queryable) {
    if (version !== undefined) {
      throw invalidArgument(
        `${np.path}@v${version}: a computed table has no stored versions to pick from`,
        np.path,
      );
    }
    const visiting = ctx.visiting ?? [];
    if (visiting.includes(np.path)) {
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `cycle in derived tables: ${[...visiting, np.path].join(' -> ')}`,
        {
          path: np.path,
        },
      );
    }
    return (await node.file.queryable([...visiting, np.path])) as TableSpec;
  }
  const type = node.ref.entryType;
  if (!isTableType(type)) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${np.path} is raw data (${type}); query it through a format, e.g. 'csv://${np.path}'`,
      { path: np.path },
    );
  }
  const versions = await node.file.versions();
  const chosen = chooseVersions(np, versions, version);
  if (version !== undefined && chosen.some(isMarker)) {
    throw invalidArgument(
      `${np.path}@v${version}: version ${version} holds no data: it is a set-temporal-bounds marker`,
      np.path,
    );
  }
  const files = await Promise.all(dataVersions(chosen).map((v) => parquetFile(np, v)));
  const stored = dataVersions(versions);
  const latest = stored[stored.length - 1];
  const spec: TableSpec = {
    kind: 'parquet',
    label: np.path,
    files,
    timeColumn: timeColumnOf(latest?.extendedAttributes),
  };
  const bounds = type === EntryType.TablePhysicalSeries ? boundsOf(versions) : null;
  if (!bounds || files.length === 0) return spec;
  const column =
    spec.timeColumn ??
    chooseTimeColumn(
      await parquetInfo((files[files.length - 1] as ParquetFileSpec).path),
      null,
      np.path,
    );
  return boundedSpec({ ...spec, timeColumn: column }, np.path, column, bounds);
}

/** What a query of a node reads: one pinned version; else a series' every version, or
 * the newest version of anything else. */
function chooseVersions(
  np: NodePath,
  versions: readonly VersionRecord[],
  version: number | undefined,
): readonly VersionRecord[] {
  if (version === undefined) {
    const series =
      np.node.ref.entryType === EntryType.TablePhysicalSeries ||
      np.node.ref.entryType === EntryType.FilePhysicalSeries;
    return series ? versions : versions.slice(-1);
  }
  const found = versions.filter((v) => v.version === version);
  if (found.length === 0) {
    throw notFound(np.path, `has no version ${version} (versions 1 to ${versions.length})`);
  }
  return found;
}

async function localPath(np: NodePath, v: VersionRecord): Promise<string> {
  if (np.node.kind !== 'file' || !np.node.file.localPath) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${np.path}: its content is not available to the query engine`,
      {
        path: np.path,
      },
    );
  }
  return np.node.file.localPath(v);
}

async function parquetFile(np: NodePath, v: VersionRecord): Promise<ParquetFileSpec> {
  return {
    path: await localPath(np, v),
    blake3: v.blake3,
    size: v.size,
    minTime: v.minEventTime,
    maxTime: v.maxEventTime,
  };
}

async function matchNodes(root: WD, pattern: string): Promise<NodePath[]> {
  if (!hasWildcard(pattern)) {
    const found = await root.find(pattern);
    if (!found) throw notFound(pattern);
    return [found];
  }
  await root.requireGlobPrefix(pattern);
  const out: NodePath[] = [];
  for await (const { np } of root.glob(pattern)) if (np.node.kind === 'file') out.push(np);
  return out;
}

function combine(label: string, specs: TableSpec[]): TableSpec {
  if (specs.length === 0) return { kind: 'empty', label };
  if (specs.length === 1) return specs[0] as TableSpec;
  const parquet = specs.filter((s): s is TableSpec & { kind: 'parquet' } => s.kind === 'parquet');
  const time = new Set(parquet.map((s) => s.timeColumn ?? null));
  if (parquet.length === specs.length && time.size === 1) {
    const warnings = parquet.flatMap((s) => s.warnings ?? []);
    return {
      kind: 'parquet',
      label,
      files: parquet.flatMap((s) => s.files),
      timeColumn: parquet[0]?.timeColumn ?? null,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }
  return { kind: 'union', label, inputs: specs };
}

export async function specForPondPattern(
  pattern: string,
  root: WD,
  ctx: PlanContext,
): Promise<TableSpec> {
  const nodes = await matchNodes(root, pattern);
  if (nodes.length === 0) throw notFound(pattern, 'no pond files match');
  return combine(pattern, await Promise.all(nodes.map((np) => specForNode(np, ctx))));
}

/** The files a pond pattern or URL names (pond paths, or host paths for `host+`), sorted;
 * NOT_FOUND when a literal path is missing. */
export async function matchedFiles(text: string, ctx: PlanContext): Promise<string[]> {
  if (!isUrl(text)) return (await matchNodes(needPond(ctx, text), text)).map((np) => np.path);
  const url = parseUrl(text);
  if (url.host) {
    const matches = await expandHostGlob(hostUrlPath(ctx.hostRoot, url.path), ctx.hostRoot);
    return matches.map((m) => m.path);
  }
  return (await matchNodes(needPond(ctx, text), url.path)).map((np) => np.path);
}

function checkCast(url: PondUrl, text: string, count: number): void {
  if (url.cast === 'table' && count !== 1) {
    throw invalidArgument(`${text}: +table needs exactly one file, but ${count} match`);
  }
}

/** A URL whose format the engine can query; INVALID_ARGUMENT otherwise. */
function queryableUrl(text: string): PondUrl {
  const url = parseUrl(text);
  if (!isParsedFormat(url.format) && (url.compression || Object.keys(url.options).length > 0)) {
    throw invalidArgument(
      `${text}: compression and options apply to parsed formats (${PARSED_FORMATS.join(', ')}) only`,
    );
  }
  return url;
}

export async function specForUrl(text: string, ctx: PlanContext): Promise<TableSpec> {
  const url = queryableUrl(text);
  const parsed = isParsedFormat(url.format);
  if (url.host) {
    const pattern = hostUrlPath(ctx.hostRoot, url.path);
    const matches = await expandHostGlob(pattern, ctx.hostRoot);
    if (matches.length === 0) throw notFound(pattern, 'no host files match');
    checkCast(url, text, matches.length);
    if (parsed) {
      return {
        kind: 'format',
        label: text,
        format: url.format,
        compression: url.compression,
        options: url.options,
        files: matches.map((m) => ({ path: m.path })),
      };
    }
    const files = matches.map((m) => ({ path: m.path }));
    const info = await parquetInfo(files[0]?.path as string);
    const time = TIME_COLUMN_CANDIDATES.find((c) =>
      info.columns.some((col) => col.name === c && col.timeLike),
    );
    return { kind: 'parquet', label: text, files, timeColumn: time ?? null };
  }
  const root = needPond(ctx, text);
  const nodes = await matchNodes(root, url.path);
  if (nodes.length === 0) throw notFound(url.path, 'no pond files match');
  return specForNodeUrl(url, text, nodes, ctx);
}

/** The spec of pond nodes read through a URL's format (or as tables for `table:`/`series:`). */
async function specForNodeUrl(
  url: PondUrl,
  text: string,
  nodes: readonly NodePath[],
  ctx: PlanContext,
  version?: number,
): Promise<TableSpec> {
  checkCast(url, text, nodes.length);
  const format = url.format;
  if (!isParsedFormat(format)) {
    const archetype = archetypeOf(url);
    const spec = (np: NodePath) =>
      archetype && isRawFile(np)
        ? rawParquetSpec(np, archetype, ctx.cacheDir, (v) => localPath(np, v), version)
        : specForNode(np, ctx, version);
    return combine(text, await Promise.all(nodes.map(spec)));
  }
  const specs: TableSpec[] = [];
  const { concatenated } = PARSED_FORMAT_TABLE[format];
  for (const np of nodes) {
    if (np.node.kind !== 'file') continue;
    const chosen = chooseVersions(np, await np.node.file.versions(), version);
    // A streamed format reads a raw series' versions as one stream; csv and jsonl each alone.
    const groups = concatenated ? (chosen.length > 0 ? [chosen] : []) : chosen.map((v) => [v]);
    for (const group of groups) specs.push(await parsedVersions(url, format, text, np, group, ctx));
  }
  return specs.length === 1
    ? (specs[0] as TableSpec)
    : { kind: 'union', label: text, inputs: specs };
}

/** Time columns of the parsed formats that have one, kept on their cached Parquet. */
const FORMAT_TIME_COLUMN: Partial<Record<ParsedFormat, string>> = {
  oteljson: 'timestamp',
  weblog: 'timestamp',
};

/** The spec of `versions` of one pond file parsed by the URL's format, one stream, cached
 * under `$POND/cache/formats/` when the pond has a cache. */
async function parsedVersions(
  url: PondUrl,
  format: ParsedFormat,
  text: string,
  np: NodePath,
  versions: readonly VersionRecord[],
  ctx: PlanContext,
): Promise<TableSpec> {
  const files = await Promise.all(versions.map(async (v) => ({ path: await localPath(np, v) })));
  const first = versions[0] as VersionRecord;
  const last = versions[versions.length - 1] as VersionRecord;
  const which = versions.length === 1 ? `v${first.version}` : `v${first.version}-v${last.version}`;
  const spec: TableSpec = {
    kind: 'format',
    label: `${text} (${np.path} ${which})`,
    format,
    compression: url.compression,
    options: url.options,
    files,
    ...(versions.length > 1 ? { concatenate: true } : {}),
  };
  if (!ctx.cacheDir) return spec;
  const hashes = versions.map((v) => `${v.version}:${v.blake3 ?? 'nohash'}`).join(',');
  const key =
    versions.length === 1
      ? `${np.node.ref.id}-v${first.version}-${first.blake3 ?? 'nohash'}-${formatKey(url)}`
      : `${np.node.ref.id}-${which}-${digest(hashes)}-${formatKey(url)}`;
  const time = FORMAT_TIME_COLUMN[format] ?? null;
  return cachedFormat(spec, hostJoin(ctx.cacheDir, 'formats'), key, time);
}

/** A short hex digest of `text` (FNV-1a, 32 bits), for cache keys. */
function digest(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}

/** What a builtin URL reads its matches as: `table:`/`series:` or a `+table`/`+series`
 * cast; null for `file:`/`data:`, which read tables as tables and refuse raw data. */
function archetypeOf(url: PondUrl): Archetype | null {
  if (url.cast) return url.cast;
  return url.format === 'table' || url.format === 'series' ? url.format : null;
}

/** A stored or served file of raw bytes (not a table, series or computed table). */
function isRawFile(np: NodePath): boolean {
  return np.node.kind === 'file' && !np.node.file.queryable && !isTableType(np.node.ref.entryType);
}

/** A short, stable key for a URL's parse settings, so different options cache apart. */
function formatKey(url: PondUrl): string {
  const text = [
    url.format,
    url.compression ?? '',
    ...Object.entries(url.options)
      .sort()
      .map(([k, v]) => `${k}=${v}`),
  ].join(';');
  return `${url.format}-${digest(text)}`;
}

/**
 * A `host+` URL whose path lies at or below one of `ctx.hostMounts`, rewritten to name the
 * same path in the host namespace (`host+csv:///m/x` -> `csv:///m/x`, `host:///m/x` ->
 * `file:///m/x`), so mounted nodes read through every scheme as through their paths; any
 * other text as it is.
 */
export function mountedUrl(text: string, ctx: PlanContext): string {
  const mounts = ctx.hostMounts ?? [];
  if (mounts.length === 0 || !text.startsWith('host')) return text;
  const url = parseUrl(text);
  const below = (m: string) => m === '/' || url.path === m || url.path.startsWith(`${m}/`);
  if (!url.host || !mounts.some(below)) return text;
  return text.startsWith('host+') ? text.slice('host+'.length) : `file${text.slice('host'.length)}`;
}

/**
 * The spec of one pond node matched by a factory's URL pattern, read as the URL says (its
 * format, compression and options; `table:`/`series:`/`file:` by entry type), exactly as a
 * query of that URL reads each match. `label` names it in plans and errors.
 */
export function specForMatchedNode(
  url: PondUrl,
  label: string,
  np: NodePath,
  ctx: PlanContext,
): Promise<TableSpec> {
  return specForNodeUrl(url, label, [np], ctx);
}

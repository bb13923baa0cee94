// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { TableSpec } from '../../query/spec.js';
import type { PondUrl } from '../../query/url.js';
import { EntryType, entryTypeInfo, isDynamicType, isTableType } from '../../tinyfs/entry-type.js';
import type { FilePath, NodePath, WD } from '../../tinyfs/fs.js';
import { hasWildcard } from '../../tinyfs/glob.js';
import { atPath } from '../../tinyfs/node.js';
import type { VersionRecord } from '../../tinyfs/persistence.js';
import type { CliContext } from '../context.js';
import { microsToUtc } from '../format.js';
import { asOfOption, type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, writeAll } from '../output.js';
import { isoMicros } from '../output-json.js';
import { planContext } from '../query-output.js';
import { BrokenNodes, listPattern, selectNodes } from '../select.js';

const FORMAT: Record<string, string> = {
  'file:physical:version': 'Raw data',
  'file:physical:series': 'Raw data series (versions concatenated on read)',
  'table:physical:version': 'Parquet table',
  'table:physical:series': 'Parquet series',
  'table:dynamic': 'Parquet series',
  'file:dynamic': 'Raw data (computed)',
};

interface Column {
  name: string;
  type: string;
}

interface SeriesVersion {
  version: number;
  rows: number;
  min_time: string | null;
  max_time: string | null;
  size: number;
}

/** One entry as `describe --format json` prints it; the text form is rendered from it. */
interface Description {
  path: string;
  kind: 'directory' | 'symlink' | 'file';
  entry_type: string;
  type: string;
  format: string | null;
  factory: string | null;
  versions: number | null;
  version: number | null;
  size: number | null;
  modified: string | null;
  txn_seq: number | null;
  entries: number | null;
  target: string | null;
  schema: Column[] | null;
  timestamp_column: string | null;
  rows: number | null;
  series_versions: SeriesVersion[] | null;
  /** The URL scheme a file was described through (`describe 'csv:///a/*.csv'`), else null. */
  provider: string | null;
  /** A series' set-temporal-bounds in force (ISO times, null = open end), else null. */
  temporal_bounds: { min: string | null; max: string | null } | null;
}

/** Columns of the table `source` of `specs` names, from the engine's plan of `SELECT * FROM source`. */
async function sourceSchema(specs: Record<string, TableSpec>): Promise<Column[]> {
  const { explainSql } = await import('../../query/run-sql.js');
  const text = await explainSql('SELECT * FROM source', specs);
  const fields =
    text
      .split('Plan:')[0]
      ?.split('\n')
      .slice(1)
      .filter((l) => l.trim()) ?? [];
  return fields.map((l) => {
    const field = l.trim();
    const at = field.lastIndexOf(': ', field.indexOf('('));
    const split = at > 0 ? at : field.indexOf(': ');
    return { name: field.slice(0, split), type: field.slice(split + 2) };
  });
}

/** Columns of a computed table. */
async function computedSchema(np: FilePath, root: WD, hostRoot: string): Promise<Column[]> {
  const { specForNode } = await import('../../query/planner.js');
  const cacheDir = root.fs.persistence.cacheDir ?? null;
  return sourceSchema({ source: await specForNode(np, { root, hostRoot, cacheDir }) });
}

/** A URL naming one file: the pattern URL's scheme and options with that file's path. */
function fileUrl(text: string, url: PondUrl, path: string): string {
  const scheme = text.slice(0, text.indexOf('://'));
  const escaped = path.replace(/%/g, '%25').replace(/\?/g, '%3F');
  const options = new URLSearchParams(url.options as Record<string, string>).toString();
  return `${scheme}://${escaped}${options ? `?${options}` : ''}`;
}

/**
 * A file read through a format URL (`describe 'csv:///a/*.csv'`): its columns as that
 * format parses them, and the time column a series would take.
 */
async function describeThrough(
  d: Description,
  text: string,
  url: PondUrl,
  ctx: CliContext,
): Promise<void> {
  const { planTables } = await import('../../query/planner.js');
  const { TIME_COLUMN_CANDIDATES } = await import('../../query/series.js');
  const source = fileUrl(text, url, d.path);
  const specs = await planTables('SELECT * FROM source', await planContext(ctx, { source }));
  d.provider = text.slice(0, text.indexOf('://'));
  d.schema = await sourceSchema(specs);
  d.timestamp_column =
    TIME_COLUMN_CANDIDATES.find((name) =>
      d.schema?.some((c) => c.name === name && /^(Timestamp|Int64|Date)/.test(c.type)),
    ) ?? null;
  d.rows = null;
  d.series_versions = null;
}

/** A URL that reads files through a format (not plain `file:`/`host:` bytes). */
function isProviderUrl(url: PondUrl | null): url is PondUrl {
  return url !== null && (url.format !== 'file' || url.cast !== null || url.compression !== null);
}

/** The text form of a file described through a URL: the original's provider description. */
function providerText(d: Description): string {
  const lines = [`File: ${d.path}`, `Provider: ${d.provider}`];
  const schema = d.schema ?? [];
  lines.push(`Schema: ${schema.length} fields`, ...schema.map((c) => `  * ${c.name}: ${c.type}`));
  if (d.timestamp_column) lines.push(`Timestamp Column: ${d.timestamp_column}`);
  return `${lines.join('\n')}\n`;
}

async function describeTable(
  np: FilePath,
  versions: readonly VersionRecord[],
  d: Description,
): Promise<void> {
  const latest = versions.filter((v) => v.size !== 0).at(-1);
  if (!latest || !np.node.file.localPath) return;
  const { parquetInfo } = await import('../../native/engine.js');
  const { timeColumnOf } = await import('../../query/series.js');
  const info = await parquetInfo(await np.node.file.localPath(latest));
  d.schema = info.columns.map((c) => ({ name: c.name, type: c.dataType }));
  d.timestamp_column = timeColumnOf(latest.extendedAttributes) ?? null;
  if (np.node.ref.entryType !== EntryType.TablePhysicalSeries) {
    d.rows = info.numRows;
    return;
  }
  d.series_versions = [];
  for (const v of versions) {
    if (v.size === 0) continue; // a set-temporal-bounds marker holds no data
    const vinfo = await parquetInfo(await np.node.file.localPath(v));
    d.series_versions.push({
      version: v.version,
      rows: vinfo.numRows,
      min_time: isoMicros(v.minEventTime),
      max_time: isoMicros(v.maxEventTime),
      size: v.size ?? 0,
    });
  }
  d.rows = d.series_versions.reduce((n, v) => n + v.rows, 0);
  const { boundsOf } = await import('../../query/temporal-bounds.js');
  const bounds = boundsOf(versions);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  if (bounds) d.temporal_bounds = { min: iso(bounds.minMs), max: iso(bounds.maxMs) };
}

async function describeNode(
  np: NodePath,
  versions: readonly VersionRecord[],
  root: WD,
  hostRoot: string,
): Promise<Description> {
  const node = np.node;
  const latest = versions[versions.length - 1];
  const d: Description = {
    path: np.path,
    kind: node.kind,
    entry_type: node.ref.entryType,
    type: entryTypeInfo(node.ref.entryType).name,
    format: null,
    factory: latest?.factory ?? null,
    versions: null,
    version: latest?.version ?? null,
    size: null,
    modified: isoMicros(latest?.timestamp),
    txn_seq: latest && latest.txnSeq > 0 ? latest.txnSeq : null,
    entries: null,
    target: null,
    schema: null,
    timestamp_column: null,
    rows: null,
    series_versions: null,
    provider: null,
    temporal_bounds: null,
  };
  if (node.kind === 'directory') d.entries = (await node.dir.entries()).length;
  else if (node.kind === 'symlink') d.target = await node.link.readlink();
  else {
    d.format = FORMAT[node.ref.entryType] ?? 'Raw data';
    d.versions = versions.length;
    d.size = latest ? (latest.size ?? 0) : null;
    if (node.file.queryable) d.schema = await computedSchema(np as FilePath, root, hostRoot);
    else if (isTableType(node.ref.entryType)) await describeTable(np as FilePath, versions, d);
  }
  return d;
}

/** The text form of one description. */
function describeText(d: Description, latest: VersionRecord | undefined): string {
  const lines: string[] = [];
  if (d.kind === 'directory') {
    lines.push(`[DIR] ${d.path}`, `  Type: ${d.type}`);
    if (d.factory) lines.push(`  Factory: ${d.factory}`);
    lines.push(`  Entries: ${d.entries}`);
  } else if (d.kind === 'symlink') {
    lines.push(`[LINK] ${d.path}`, `  Type: ${d.type}`, `  Target: ${d.target}`);
  } else {
    lines.push(`[FILE] ${d.path}`, `  Type: ${d.type}`, `  Format: ${d.format}`);
    lines.push(`  Versions: ${d.versions}`);
    if (latest) lines.push(`  Size: ${d.size} bytes (v${d.version})`);
    if (d.factory) lines.push(`  Factory: ${d.factory}`);
    if (d.schema) {
      lines.push('  Schema:', ...d.schema.map((c) => `    * ${c.name}: ${c.type}`));
    }
    if (d.timestamp_column) lines.push(`  Timestamp column: ${d.timestamp_column}`);
    if (d.temporal_bounds) {
      const end = (t: string | null) =>
        t === null ? 'open' : `${t.replace('T', ' ').slice(0, 23)} UTC`;
      const { min, max } = d.temporal_bounds;
      lines.push(`  Temporal bounds: ${end(min)} .. ${end(max)} (reads keep only rows inside)`);
    }
    if (d.series_versions) {
      lines.push('  Versions:');
      for (const v of d.series_versions) {
        const range =
          v.min_time === null || v.max_time === null
            ? 'no time range'
            : `${v.min_time.replace('T', ' ').slice(0, 19)} .. ${v.max_time.replace('T', ' ').slice(0, 19)} UTC`;
        lines.push(`    v${v.version}: ${v.rows} rows, ${range}, ${v.size} bytes`);
      }
      lines.push(`  Total rows: ${d.rows}`);
    } else if (d.rows !== null) lines.push(`  Rows: ${d.rows}`);
  }
  if (latest) {
    const txn = d.txn_seq !== null ? ` (txn ${d.txn_seq})` : '';
    lines.push(`  Modified: ${microsToUtc(latest.timestamp)} UTC${txn}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description(
      [
        'describe pond entries matching a glob: type, format, versions, size',
        '',
        'tables and series add their schema, time column and versions. A format URL',
        "(describe 'csv:///a/*.csv', 'host+jsonl:///in/*.jsonl') describes each file",
        'it matches as that format reads it: File, Provider, Schema, Timestamp Column.',
      ].join('\n'),
    )
    .argument('[pattern]', 'glob as for list (default: everything), or a URL')
    .addOption(asOfOption())
    .addOption(metadataFormatOption())
    .action(
      async (pattern: string | undefined, opts: { format: MetadataFormat; asOf?: string }) => {
        ctx.asOf = opts.asOf;
        const target = pattern === undefined ? undefined : await ctx.pattern(pattern);
        const url = target?.url ?? null;
        const provider = isProviderUrl(url) ? url : null;
        const root = await ctx.reader();
        const broken = new BrokenNodes(ctx.io.stderr);
        const glob = listPattern(target?.path);
        const nodes = await selectNodes(root, glob, true, broken);
        const json = opts.format === 'json';
        const files = provider ? nodes.filter((np) => np.node.kind === 'file') : nodes;
        const parts = (async function* () {
          if (provider && !json) {
            if (files.length > 1) yield `Pattern matched ${files.length} files\n\n`;
            yield '=== Provider Schema Description ===\n';
          } else if (!json) yield '=== File Schema Description ===\n';
          for (const np of files) {
            let text: string;
            try {
              const versions =
                np.node.kind === 'file'
                  ? await np.node.file.versions()
                  : await root.fs.persistence.versions(np.node.ref);
              const d = await describeNode(np, versions, root, ctx.hostRoot());
              if (provider) await describeThrough(d, pattern as string, provider, ctx);
              text = json
                ? jsonLine(d)
                : provider
                  ? `\n${providerText(d)}`
                  : `\n${describeText(d, versions[versions.length - 1])}`;
            } catch (err) {
              // A dynamic node whose factory fails is reported and skipped by a glob; naming
              // the node itself fails.
              if (!isDynamicType(np.node.ref.entryType) || !hasWildcard(glob)) throw err;
              broken.onBroken(np.path, atPath(np.path, err));
              continue;
            }
            yield text;
          }
          if (files.length === 0 && !json) yield '\nNo entries match.\n';
        })();
        await writeAll(ctx.io.stdout, parts);
      },
    );
}

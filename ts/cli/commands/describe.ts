// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { EntryType, entryTypeInfo, isTableType } from '../../tinyfs/entry-type.js';
import type { FilePath, NodePath, WD } from '../../tinyfs/fs.js';
import type { VersionRecord } from '../../tinyfs/persistence.js';
import type { CliContext } from '../context.js';
import { microsToUtc } from '../format.js';
import { listPattern, selectNodes } from '../select.js';

const FORMAT: Record<string, string> = {
  'file:physical:version': 'Raw data',
  'file:physical:series': 'Raw data series (versions concatenated on read)',
  'table:physical:version': 'Parquet table',
  'table:physical:series': 'Parquet series',
  'table:dynamic': 'Parquet series',
  'file:dynamic': 'Raw data (computed)',
};

/** Schema lines of a computed table, from the engine's plan of `SELECT * FROM source`. */
async function computedSchema(np: FilePath, root: WD): Promise<string[]> {
  const { specForNode } = await import('../../query/planner.js');
  const { explain } = await import('../../native/engine.js');
  const cacheDir = root.fs.persistence.cacheDir ?? null;
  const spec = await specForNode(np, { root, hostRoot: '/', cacheDir });
  const text = await explain('SELECT * FROM source', { source: spec });
  const fields =
    text
      .split('Plan:')[0]
      ?.split('\n')
      .slice(1)
      .filter((l) => l.trim()) ?? [];
  return ['  Schema:', ...fields.map((l) => `    * ${l.trim()}`)];
}

async function describeTable(np: FilePath, versions: readonly VersionRecord[]): Promise<string[]> {
  const latest = versions[versions.length - 1];
  if (!latest || !np.node.file.localPath) return [];
  const { parquetInfo } = await import('../../native/engine.js');
  const { timeColumnOf } = await import('../../query/series.js');
  const series = np.node.ref.entryType === EntryType.TablePhysicalSeries;
  const info = await parquetInfo(await np.node.file.localPath(latest));
  const lines = ['  Schema:', ...info.columns.map((c) => `    * ${c.name}: ${c.dataType}`)];
  const time = timeColumnOf(latest.extendedAttributes);
  if (time) lines.push(`  Timestamp column: ${time}`);
  if (!series) {
    lines.push(`  Rows: ${info.numRows}`);
    return lines;
  }
  lines.push('  Versions:');
  let total = 0;
  for (const v of versions) {
    const vinfo = await parquetInfo(await np.node.file.localPath(v));
    total += vinfo.numRows;
    const range =
      v.minEventTime === null || v.maxEventTime === null
        ? 'no time range'
        : `${microsToUtc(v.minEventTime)} .. ${microsToUtc(v.maxEventTime)} UTC`;
    lines.push(`    v${v.version}: ${vinfo.numRows} rows, ${range}, ${v.size ?? 0} bytes`);
  }
  lines.push(`  Total rows: ${total}`);
  return lines;
}

async function describeNode(
  np: NodePath,
  versions: readonly VersionRecord[],
  root: WD,
): Promise<string> {
  const node = np.node;
  const info = entryTypeInfo(node.ref.entryType);
  const lines: string[] = [];
  if (node.kind === 'directory') {
    lines.push(`[DIR] ${np.path}`, `  Type: ${info.name}`);
    const factory = versions[versions.length - 1]?.factory;
    if (factory) lines.push(`  Factory: ${factory}`);
    lines.push(`  Entries: ${(await node.dir.entries()).length}`);
  } else if (node.kind === 'symlink') {
    lines.push(
      `[LINK] ${np.path}`,
      `  Type: ${info.name}`,
      `  Target: ${await node.link.readlink()}`,
    );
  } else {
    lines.push(`[FILE] ${np.path}`, `  Type: ${info.name}`);
    lines.push(`  Format: ${FORMAT[node.ref.entryType] ?? 'Raw data'}`);
    const latest = versions[versions.length - 1];
    lines.push(`  Versions: ${versions.length}`);
    if (latest) lines.push(`  Size: ${latest.size ?? 0} bytes (v${latest.version})`);
    const factory = latest?.factory;
    if (factory) lines.push(`  Factory: ${factory}`);
    if (node.file.queryable) lines.push(...(await computedSchema(np as FilePath, root)));
    else if (isTableType(node.ref.entryType))
      lines.push(...(await describeTable(np as FilePath, versions)));
  }
  const latest = versions[versions.length - 1];
  if (latest) {
    const txn = latest.txnSeq > 0 ? ` (txn ${latest.txnSeq})` : '';
    lines.push(`  Modified: ${microsToUtc(latest.timestamp)} UTC${txn}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('describe pond entries matching a glob: type, format, versions, size')
    .argument('[pattern]', 'glob as for list (default: everything)')
    .action(async (pattern: string | undefined) => {
      const target = pattern === undefined ? undefined : await ctx.target(pattern);
      const root = await ctx.reader();
      const nodes = await selectNodes(root, listPattern(target), true);
      const parts = ['=== File Schema Description ===\n'];
      for (const np of nodes) {
        const versions =
          np.node.kind === 'file'
            ? await np.node.file.versions()
            : await root.fs.persistence.versions(np.node.ref);
        parts.push(`\n${await describeNode(np, versions, root)}`);
      }
      if (nodes.length === 0) parts.push('\nNo entries match.\n');
      ctx.out(parts.join(''));
    });
}

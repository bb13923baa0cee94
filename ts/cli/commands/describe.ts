// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { entryTypeInfo } from '../../tinyfs/entry-type.js';
import type { NodePath } from '../../tinyfs/fs.js';
import type { VersionRecord } from '../../tinyfs/persistence.js';
import type { CliContext } from '../context.js';
import { microsToUtc } from '../format.js';
import { listPattern, selectNodes } from '../select.js';

const FORMAT: Record<string, string> = {
  'file:physical:version': 'Raw data',
  'file:physical:series': 'Raw data series (versions concatenated on read)',
  'table:physical:version': 'Parquet table',
  'table:physical:series': 'Parquet series',
};

async function describeNode(np: NodePath, versions: readonly VersionRecord[]): Promise<string> {
  const node = np.node;
  const info = entryTypeInfo(node.ref.entryType);
  const lines: string[] = [];
  if (node.kind === 'directory') {
    lines.push(`[DIR] ${np.path}`, `  Type: ${info.name}`);
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
  }
  const latest = versions[versions.length - 1];
  if (latest) lines.push(`  Modified: ${microsToUtc(latest.timestamp)} UTC (txn ${latest.txnSeq})`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('describe pond entries matching a glob: type, format, versions, size')
    .argument('[pattern]', 'glob as for list (default: everything)')
    .action(async (pattern: string | undefined) => {
      const root = await ctx.reader();
      const nodes = await selectNodes(root, listPattern(pattern), true);
      const parts = ['=== File Schema Description ===\n'];
      for (const np of nodes) {
        const versions =
          np.node.kind === 'file'
            ? await np.node.file.versions()
            : await root.fs.persistence.versions(np.node.ref);
        parts.push(`\n${await describeNode(np, versions)}`);
      }
      if (nodes.length === 0) parts.push('\nNo entries match.\n');
      ctx.out(parts.join(''));
    });
}

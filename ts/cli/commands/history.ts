// SPDX-License-Identifier: Apache-2.0
/** `history` and `diff`: a node's stored versions, and what changed between two points. */
import type { Command } from 'commander';
import type { DiffEntry, VersionInfo } from '../../pond.js';
import type { CliContext } from '../context.js';
import { bytes, utcTime } from '../format.js';
import { asOfOption, type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, writeAll } from '../output.js';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function versionLine(v: VersionInfo): string {
  const size = v.size === null ? '-' : String(v.size);
  const hash = v.blake3 ? v.blake3.slice(0, 12) : '-'.padEnd(12);
  const parts = [
    `v${v.version}`.padEnd(6),
    `txn ${v.txnSeq}`.padEnd(10),
    utcTime(v.time.getTime()),
    size.padStart(10),
    hash,
  ];
  if (v.minEventTime && v.maxEventTime) {
    parts.push(`${utcTime(v.minEventTime.getTime())} .. ${utcTime(v.maxEventTime.getTime())}`);
  }
  if (v.rows !== null) parts.push(`${v.rows} rows`);
  if (v.factory) parts.push(v.factory);
  return `${parts.join('  ')}\n`;
}

const MARK: Record<DiffEntry['kind'], string> = {
  created: '+',
  removed: '-',
  moved: '>',
  versioned: '~',
};

function diffLine(d: DiffEntry): string {
  const size = d.bytes === null ? '' : `  ${bytes(d.bytes)}`;
  switch (d.kind) {
    case 'moved':
      return `> ${d.from} -> ${d.path}\n`;
    case 'versioned':
      return `~ ${d.path}  v${d.fromVersion} -> v${d.toVersion} (+${d.toVersion - d.fromVersion})${size}\n`;
    default:
      return `${MARK[d.kind]} ${d.path}  ${d.entryType}${size}\n`;
  }
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .description(
      [
        "list a node's stored versions, oldest first",
        '',
        'One line per version: number, the transaction that wrote it (a pond log seq), its',
        'time (UTC), size, BLAKE3 prefix, and for tables and series the event-time range and',
        'row count. pond cat PATH --version K reads one; SQL reads one as /path@vK.',
      ].join('\n'),
    )
    .argument('<path>', 'pond path (a symlink itself, not its target)')
    .addOption(asOfOption())
    .addOption(metadataFormatOption())
    .action(async (path: string, opts: { asOf?: string; format: MetadataFormat }) => {
      const pond = await ctx.open();
      const { parseAsOf } = await import('../../history/as-of.js');
      const view = opts.asOf === undefined ? pond : await pond.at(parseAsOf(opts.asOf));
      const versions = await view.versions(path);
      const lines = versions.map((v) =>
        opts.format === 'json'
          ? jsonLine({
              ...v,
              time: iso(v.time),
              minEventTime: iso(v.minEventTime),
              maxEventTime: iso(v.maxEventTime),
            })
          : versionLine(v),
      );
      await writeAll(ctx.io.stdout, lines);
    });

  program
    .command('diff')
    .description(
      [
        'what changed between two transactions (or one and now)',
        '',
        'A and B are pond log seqs or times (as for --as-of). One line per change, by path:',
        '  + PATH TYPE SIZE   created          - PATH TYPE SIZE   removed',
        '  > FROM -> TO       moved (same node) ~ PATH vA -> vB     new versions, their bytes',
      ].join('\n'),
    )
    .argument('<a>', 'the earlier point: a transaction seq or a time')
    .argument('[b]', 'the later point (default: now)')
    .addOption(metadataFormatOption())
    .action(async (a: string, b: string | undefined, opts: { format: MetadataFormat }) => {
      const { parseAsOf } = await import('../../history/as-of.js');
      const pond = await ctx.open();
      const changes = await pond.diff(parseAsOf(a), b === undefined ? undefined : parseAsOf(b));
      const lines = changes.map((d) => (opts.format === 'json' ? jsonLine(d) : diffLine(d)));
      await writeAll(ctx.io.stdout, lines);
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { TxnSummary } from '../../steward/control.js';
import type { CliContext } from '../context.js';
import { shellJoin, utcTime } from '../format.js';
import { type MetadataFormat, metadataFormatOption, positiveInt } from '../options.js';
import { jsonLine, writeAll } from '../output.js';
import { logRecord, txKind } from '../output-json.js';

/** At most `max` paths, then how many more. */
function paths(list: readonly string[], max: number): string {
  const shown = list.slice(0, max).join(' ');
  return list.length > max ? `${shown} (+${list.length - max} more)` : shown;
}

/**
 * A transaction as two or more lines: a header (seq, status, read/write, begin time,
 * duration, command line), then txn id, oplog version, error and changes.
 */
export function logEntry(t: TxnSummary, maxPaths = 5): string {
  const duration = t.durationMs === null ? '' : `  ${t.durationMs} ms`;
  const via = t.kind === 'post-commit' ? `post-commit after ${t.parentSeq}: ` : '';
  const lines = [
    `${String(t.seq).padStart(6)}  ${t.status.padEnd(10)}  ${txKind(t).padEnd(5)}  ${utcTime(t.time)}${duration}  ${via}pond ${shellJoin(t.args)}`,
  ];
  const detail = [`txn ${t.id}`];
  if (t.dataVersion !== null) detail.push(`data v${t.dataVersion}`);
  if (t.recovered) detail.push('closed by pond recover');
  lines.push(`        ${detail.join('  ')}`);
  if (t.error) lines.push(`        error: ${t.error}`);
  if (t.changes?.created.length)
    lines.push(`        created: ${paths(t.changes.created, maxPaths)}`);
  if (t.changes?.versioned.length) {
    lines.push(`        versioned: ${paths(t.changes.versioned, maxPaths)}`);
  }
  if (t.changes?.removed?.length) {
    lines.push(`        removed: ${paths(t.changes.removed, maxPaths)}`);
  }
  if (t.changes?.moved?.length) {
    const moves = t.changes.moved.map((m) => `${m.from} -> ${m.to}`);
    lines.push(`        moved: ${paths(moves, maxPaths)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .description(
      [
        'list write transactions with their outcome and changes',
        '',
        'List write transactions, oldest first, from the control table: sequence',
        'number, status (COMMITTED, FAILED, or INCOMPLETE = interrupted, see pond',
        'recover), read or write, begin time (UTC), duration, the command line, the',
        'transaction id, the oplog version it produced, its error, and the paths it',
        'created, versioned, removed or moved. Post-commit factory runs name the',
        'transaction that triggered them. Transactions that found nothing to change',
        '(COMPLETED, shown as read) are shown only with --all. Reads (list, cat, sql,',
        'log...) take no lock and are never recorded.',
      ].join('\n'),
    )
    .option('--limit <n>', 'only the newest N transactions', positiveInt)
    .option('--txn-seq <n>', 'only transaction N, with every changed path', positiveInt)
    .option('--incomplete', 'only transactions that began and never ended')
    .option('--all', 'include transactions that changed nothing (COMPLETED)')
    .addOption(metadataFormatOption())
    .action(
      async (opts: {
        limit?: number;
        txnSeq?: number;
        incomplete?: boolean;
        all?: boolean;
        format: MetadataFormat;
      }) => {
        let txns = await (await ctx.open()).transactions();
        if (opts.txnSeq !== undefined) txns = txns.filter((t) => t.seq === opts.txnSeq);
        else if (!opts.all) txns = txns.filter((t) => t.status !== 'COMPLETED');
        if (opts.incomplete) txns = txns.filter((t) => t.status === 'INCOMPLETE');
        if (opts.limit !== undefined) txns = txns.slice(Math.max(0, txns.length - opts.limit));
        const maxPaths = opts.txnSeq !== undefined ? Number.POSITIVE_INFINITY : 5;
        const lines = txns.map((t) =>
          opts.format === 'json' ? jsonLine(logRecord(t)) : logEntry(t, maxPaths),
        );
        await writeAll(ctx.io.stdout, lines);
      },
    );
}

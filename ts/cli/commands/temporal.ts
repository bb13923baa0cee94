// SPDX-License-Identifier: Apache-2.0
/**
 * `pond set-temporal-bounds` and `pond detect-overlaps` (REFERENCE-ORIGINAL §7.2-§7.3):
 * the bounds every read of a series keeps its rows within, and the report of where several
 * series' event times interleave. The work is in `ts/query/temporal-bounds.ts` and
 * `ts/query/overlaps.ts`.
 */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { invalidArgument } from '../../errors.js';
import { BOUND_TIME_FORMS, parseBoundTime } from '../../query/time-text.js';
import type { CliContext } from '../context.js';
import { planContext } from '../query-output.js';

function boundTime(value: string): number {
  const ms = parseBoundTime(value);
  if (ms === null) {
    throw new InvalidArgumentError(
      `not a time: accepted are ${BOUND_TIME_FORMS.join(', ')} (UTC unless an offset is given)`,
    );
  }
  return ms;
}

interface BoundsOptions {
  minTime?: number;
  maxTime?: number;
  clear?: boolean;
}

function registerSetBounds(program: Command, ctx: CliContext): void {
  program
    .command('set-temporal-bounds')
    .description(
      [
        'keep every read of a series within a time range',
        '',
        'rows whose event time is before --min-time or after --max-time (both',
        'inclusive) are left out of every read of the series: sql, cat, copies out,',
        'detect-overlaps and derived nodes. One bound alone leaves the other end',
        'open; versions copied in later stay bounded; --clear removes the bounds.',
        'Stored as the original DuckPond stores them: a version of 0 bytes with the',
        'bounds in milliseconds. A missing PATH becomes a new series.',
      ].join('\n'),
    )
    .argument('<path>', 'the series (table:physical:series), or a new path')
    .addOption(
      new Option(
        '--min-time <time>',
        'earliest event time kept, e.g. 2024-01-01T00:00:00Z',
      ).argParser(boundTime),
    )
    .addOption(new Option('--max-time <time>', 'latest event time kept').argParser(boundTime))
    .option('--clear', 'remove the bounds (every row is read again)')
    .action(async (path: string, opts: BoundsOptions) => {
      const given = opts.minTime !== undefined || opts.maxTime !== undefined;
      if (opts.clear && given) {
        throw invalidArgument('--clear removes the bounds; give it without --min-time/--max-time');
      }
      if (!opts.clear && !given) {
        throw invalidArgument(
          'no bounds were provided: give --min-time, --max-time or both (--clear removes them)',
          path,
        );
      }
      const bounds = opts.clear
        ? null
        : { minMs: opts.minTime ?? null, maxMs: opts.maxTime ?? null };
      const { setTemporalBounds } = await import('../../query/temporal-bounds.js');
      await ctx.write((root) => setTemporalBounds(root, path, bounds));
    });
}

function registerDetectOverlaps(program: Command, ctx: CliContext): void {
  program
    .command('detect-overlaps')
    .description(
      [
        'report where the event times of several series interleave',
        '',
        "the series' points (temporal bounds applied) are merged in time order: a",
        'RUN is a stretch from one series, an OVERLAP a change of series within 60 s',
        "of the previous point. Prints the original DuckPond's report; only reads.",
      ].join('\n'),
    )
    .argument('<patterns...>', 'series paths or globs (table:physical:series, table:dynamic)')
    .option('--verbose', "also list each series' points per stored version")
    .addOption(
      new Option('--format <format>', 'summary, or full (adds each overlap in detail)')
        .choices(['summary', 'full'])
        .default('summary'),
    )
    .action(async (patterns: string[], opts: { verbose?: boolean; format: 'summary' | 'full' }) => {
      const { detectOverlaps } = await import('../../query/overlaps.js');
      const text = await import('../../query/overlap-text.js');
      const plan = await planContext(ctx);
      const root = plan.root ?? (await ctx.reader());
      const analysis = await detectOverlaps(root, patterns, plan, {
        perVersion: opts.verbose ?? false,
      });
      if (analysis.origins.length === 0) {
        ctx.err(`detect-overlaps: no series match ${patterns.join(' ')}\n`);
        return;
      }
      ctx.out(opts.format === 'full' ? text.fullText(analysis) : text.summaryText(analysis));
      if (opts.verbose) ctx.out(text.versionsText(analysis));
    });
}

export function register(program: Command, ctx: CliContext): void {
  registerSetBounds(program, ctx);
  registerDetectOverlaps(program, ctx);
}

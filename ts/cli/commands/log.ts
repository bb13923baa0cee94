// SPDX-License-Identifier: Apache-2.0
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { shellJoin, utcTime } from '../format.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .description(
      'list write transactions, oldest first: sequence number, commit time (UTC), command line',
    )
    .option('--limit <n>', 'only the newest N transactions', positiveInt)
    .action(async (opts: { limit?: number }) => {
      const steward = await ctx.open();
      const lines = (await steward.transactions(opts.limit)).map(
        (t) => `${String(t.txnSeq).padStart(6)}  ${utcTime(t.time)}  pond ${shellJoin(t.args)}\n`,
      );
      ctx.out(lines.join(''));
    });
}

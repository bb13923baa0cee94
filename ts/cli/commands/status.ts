// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { bytes, shellJoin, utcTime } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      'operator summary: identity, size, transaction counts, the last transaction, interrupted transactions and post-commit factories',
    )
    .action(async () => {
      const { tableStats } = await import('../../native/store.js');
      const { defaultRegistry } = await import('../../factories/index.js');
      const { modeKey, postCommitNodes } = await import('../../factories/run.js');
      const steward = await ctx.open();
      const records = await steward.control.records();
      const txns = await steward.control.transactions(records);
      const settings = await steward.control.settings(records);
      const identity = await steward.identity();
      const data = await tableStats(join(steward.store.path, 'data'));
      const out: string[] = [`Pond: ${steward.store.path}`, `Pond id: ${steward.pondId}`];
      if (identity) {
        const place = identity.birthplace ? ` (${identity.birthplace})` : '';
        out.push(
          `Created: ${utcTime(identity.birthTime)} UTC by ${identity.user}@${identity.host}${place}`,
        );
      }
      out.push(`Data: version ${data.version}, ${data.files} files, ${bytes(data.bytes)}`);
      const count = (s: string) => txns.filter((t) => t.status === s).length;
      out.push(
        `Transactions: ${count('COMMITTED')} committed, ${count('FAILED')} failed, ${count('COMPLETED')} with nothing to commit, ${count('INCOMPLETE')} incomplete`,
      );
      const last = txns[txns.length - 1];
      if (last) {
        out.push(
          `Last: ${last.seq} ${last.status} ${utcTime(last.time)} UTC  pond ${shellJoin(last.args)}`,
        );
      }
      if (count('INCOMPLETE') > 0) {
        out.push(
          'Interrupted transactions found: run pond recover (pond log --incomplete lists them)',
        );
      }
      const environment = ctx.runEnvironment(defaultRegistry());
      const nodes = await postCommitNodes(await steward.reader(), environment);
      if (nodes.length === 0) out.push('Post-commit factories: none');
      for (const n of nodes) {
        out.push(
          `Post-commit: ${n.path} (${n.factory}, ${settings.get(modeKey(n.factory)) ?? 'push'})`,
        );
      }
      ctx.out(`${out.join('\n')}\n`);
    });
}

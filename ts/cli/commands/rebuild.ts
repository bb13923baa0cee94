// SPDX-License-Identifier: Apache-2.0
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rebuild')
    .description(
      'drop the cached rollups of a temporal-reduce node, so its next read recomputes every bucket (needed after data arrives for sealed buckets)',
    )
    .argument('<path>', 'the temporal-reduce node')
    .action(async (path: string) => {
      const root = await ctx.reader();
      const np = await root.get(path, { follow: false });
      const versions = await root.fs.persistence.versions(np.node.ref);
      if (versions[versions.length - 1]?.factory !== 'temporal-reduce') {
        throw new PondError(ErrorCode.INVALID_ARGUMENT, `${np.path}: not a temporal-reduce node`, {
          path: np.path,
        });
      }
      const dir = join(ctx.pondPath(), 'cache', 'rollups');
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
        n.startsWith(`${np.node.ref.id}-`),
      );
      await Promise.all(names.map((n) => rm(join(dir, n), { force: true })));
      ctx.err(`dropped ${names.length} cached rollup file(s) of ${np.path}\n`);
    });
}

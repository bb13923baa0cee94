// SPDX-License-Identifier: Apache-2.0
import { readdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

/** Names `init` may find in a directory left by an interrupted `init`. */
const SKELETON = new Set(['data', 'control', 'cache']);

export function register(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a new pond at $POND (or --pond): an empty root directory as transaction 1')
    .option('--birthplace <label>', 'a label recorded with the pond identity (e.g. the site name)')
    .action(async (opts: { birthplace?: string }) => {
      const path = ctx.pondPath();
      const existing = await readdir(path).catch(() => [] as string[]);
      const foreign = existing.filter((name) => !SKELETON.has(name));
      if (foreign.length > 0) {
        throw new PondError(
          ErrorCode.ALREADY_EXISTS,
          `${path} exists and is not empty (found ${foreign.slice(0, 3).join(', ')}); choose an empty or new directory`,
          { path },
        );
      }
      const { Steward } = await import('../../steward/steward.js');
      const steward = await Steward.create(path, {
        args: ctx.args,
        birthplace: opts.birthplace ?? null,
      });
      ctx.err(`Initialized pond ${steward.pondId} at ${path}\n`);
    });
}

// SPDX-License-Identifier: Apache-2.0
/** `rm`, `mv` and `ln -s`: change where nodes are, in one transaction each. */
import type { Command } from 'commander';
import { invalidArgument } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('rm')
    .description(
      [
        'remove pond entries (all in one transaction)',
        '',
        'A symlink is removed, not its target; a directory with entries (or a dynamic',
        'directory) needs -r. Removed nodes stay in the history: list/cat/sql --as-of an',
        'earlier transaction still show them, and their content is kept until',
        '`pond maintain --prune-removed`.',
      ].join('\n'),
    )
    .argument('<paths...>', 'pond paths to remove')
    .option('-r, --recursive', 'remove directories and everything in them')
    .option('-f, --force', 'no error for paths that do not exist')
    .action(async (paths: string[], opts: { recursive?: boolean; force?: boolean }) => {
      await ctx.write(async (root) => {
        for (const path of paths) {
          if (opts.force && (await root.lookup(path, { follow: false })).kind === 'missing') {
            continue;
          }
          await root.remove(path, { recursive: opts.recursive ?? false });
        }
      });
    });

  program
    .command('mv')
    .description(
      [
        'move or rename a pond entry',
        '',
        'DEST an existing directory: SRC moves into it under its own name; otherwise DEST is',
        'the new path and must not exist. Files, directories and dynamic nodes keep their',
        'node ids and every version, so history (pond history, --as-of) follows them.',
      ].join('\n'),
    )
    .argument('<src>', 'pond path to move')
    .argument('<dest>', 'new path, or an existing directory')
    .action(async (src: string, dest: string) => {
      await ctx.write((root) => root.move(src, dest));
    });

  program
    .command('ln')
    .description('create a symbolic link in the pond (only symbolic links exist: -s)')
    .argument(
      '<target>',
      'what the link points to: a pond path, absolute or relative to its directory',
    )
    .argument('<path>', 'pond path of the new link')
    .option('-s, --symbolic', 'make a symbolic link (required)')
    .action(async (target: string, path: string, opts: { symbolic?: boolean }) => {
      if (!opts.symbolic) {
        throw invalidArgument('pond has symbolic links only: use ln -s TARGET PATH');
      }
      await ctx.write((root) => root.symlink(path, target));
    });
}

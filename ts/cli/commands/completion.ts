// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { complete, completionScript, formatCandidates, SHELLS, type Shell } from '../completion.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description(
      [
        'print a shell completion script for pond commands, options and pond paths',
        '',
        'Load it in the current shell, or add the same line to your shell start-up file:',
        '  bash:  source <(pond completion bash)      (~/.bashrc)',
        '  zsh:   source <(pond completion zsh)       (~/.zshrc, after compinit)',
        '  fish:  pond completion fish | source        (~/.config/fish/config.fish)',
        'Paths that start with / complete from the pond in $POND (or --pond).',
      ].join('\n'),
    )
    .addArgument(
      program.createArgument('<shell>', 'the shell to complete for').choices([...SHELLS]),
    )
    .action((shell: Shell) => ctx.out(completionScript(shell)));

  // What the scripts call on each TAB; not part of the documented interface.
  program
    .command('__complete', { hidden: true })
    .addOption(new Option('--shell <shell>').choices([...SHELLS]).default('bash'))
    .argument('[words...]')
    .allowUnknownOption()
    .action(async (words: string[], opts: { shell: Shell }) => {
      const candidates = await complete(program, words, async (dir, pondDir) => {
        const path = pondDir ?? ctx.io.env.POND;
        if (!path) return [];
        const { Pond } = await import('../../pond.js');
        const { isDirectoryType } = await import('../../tinyfs/entry-type.js');
        const pond = await Pond.open(resolve(ctx.io.cwd, path), await ctx.environment());
        const entries = await pond.list(`${dir}*`);
        return entries.map((e) => (isDirectoryType(e.entryType) ? `${e.path}/` : e.path));
      });
      ctx.out(formatCandidates(candidates, opts.shell));
    });
}

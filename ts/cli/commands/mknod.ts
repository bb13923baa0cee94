// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, invalidArgument, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

interface MknodOptions {
  factory?: string;
  configPath?: string;
  overwrite?: boolean;
  check?: boolean;
}

/** The three spellings: `F PATH --config-path C`, `--factory F PATH C`, `F PATH C`. */
function parseArgs(
  args: string[],
  opts: MknodOptions,
): { factory: string; path: string; config: string } {
  const rest = [...args];
  const factory = opts.factory ?? rest.shift();
  const path = rest.shift();
  const config = opts.configPath ?? rest.shift();
  if (!factory || !path || !config || rest.length > 0) {
    throw invalidArgument(
      'usage: pond mknod FACTORY PATH (--config-path FILE | CONFIG_FILE) [--overwrite] [--no-check]',
    );
  }
  return { factory, path, config };
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('mknod')
    .description(
      [
        'create a dynamic node: a factory name plus a YAML config, computed when read',
        '',
        'spellings: mknod FACTORY PATH --config-path FILE | mknod --factory FACTORY PATH FILE |',
        "mknod FACTORY PATH FILE. The config is validated, and a table's query planned against its",
        'inputs, before anything is stored (--no-check skips the planning); ${env:VAR} and',
        '${env:VAR:-default} are expanded when used, and stored unexpanded. See pond list-factories.',
      ].join('\n'),
    )
    .usage('FACTORY PATH (--config-path FILE | FILE) [--overwrite] [--no-check]')
    .argument('<args...>')
    .option('--factory <name>', 'the factory (instead of the first argument)')
    .option('--config-path <file>', 'host YAML file with the config')
    .option('--overwrite', 'replace the config of an existing node (a new version)')
    .option('--no-check', 'store without planning the query (when its inputs do not exist yet)')
    .action(async (args: string[], opts: MknodOptions) => {
      const { factory, path, config } = parseArgs(args, opts);
      const file = resolve(ctx.io.cwd, config);
      const text = await readFile(file, 'utf8').catch(() => {
        throw new PondError(ErrorCode.NOT_FOUND, `config file ${file}: no such file`, {
          path: file,
        });
      });
      const { mknod } = await import('../../factories/mknod.js');
      const registry = await ctx.registry();
      const result = await ctx.write((root) =>
        mknod(root, path, factory, text, {
          registry,
          env: ctx.io.env,
          overwrite: opts.overwrite ?? false,
          check: opts.check ?? true,
        }),
      );
      ctx.err(`${result.value} ${path}\n`);
    });
}

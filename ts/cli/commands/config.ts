// SPDX-License-Identifier: Apache-2.0
import { isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { Registry } from '../../factories/registry.js';
import type { CliContext } from '../context.js';

/** Which settings `pond config set` accepts, and how to check a value. */
async function checkSetting(key: string, value: string, registry: Registry): Promise<void> {
  if (key === 'identity.birthplace') return;
  if (key === 'host.root') {
    if (!isAbsolute(value) || value.includes('\0')) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `host.root: expected an absolute host directory, got ${JSON.stringify(value)}`,
        { path: value },
      );
    }
    return;
  }
  const mode = /^factory\.([a-z][a-z0-9-]*)\.mode$/.exec(key);
  if (mode) {
    const factory = registry.get(mode[1] as string);
    if (factory.kind !== 'executable') {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${key}: ${factory.name} is a ${factory.kind} factory; only executable factories have a mode`,
      );
    }
    if (value !== 'push' && value !== 'pull') {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${key}: expected push or pull, got ${value}`,
      );
    }
    return;
  }
  const readOnly = key.startsWith('identity.') ? ' (identity is fixed at pond init)' : '';
  throw new PondError(
    ErrorCode.INVALID_ARGUMENT,
    `cannot set ${key}${readOnly}; settable keys: identity.birthplace, host.root, factory.NAME.mode (push|pull)`,
  );
}

export function register(program: Command, ctx: CliContext): void {
  const config = program
    .command('config')
    .description(
      [
        "show the pond's identity and settings",
        '',
        'Settings live in the control table; the newest value of a key wins. Settable:',
        '  identity.birthplace         a label for the pond (e.g. the site name)',
        '  host.root                   the host directory executable nodes (copy-out) may',
        '                              write in (default: the directory holding the pond)',
        '  factory.NAME.mode           push (default): executable nodes of factory NAME run',
        '                              after every commit; pull: only by pond run',
      ].join('\n'),
    )
    .action(async () => {
      const settings = await (await ctx.open()).settings();
      if (settings.size === 0) ctx.out('(no settings recorded)\n');
      for (const key of [...settings.keys()].sort()) {
        const value = settings.get(key) ?? '';
        const when =
          key === 'identity.birth_time' && /^\d+$/.test(value)
            ? `  (${new Date(Number(value)).toISOString()})`
            : '';
        ctx.out(`${key} = ${value}${when}\n`);
      }
    });
  config
    .command('set')
    .description('record a setting (see pond help config for the keys)')
    .argument('<key>')
    .argument('<value>')
    .action(async (key: string, value: string) => {
      await checkSetting(key, value, await ctx.registry());
      await (await ctx.open()).setSetting(key, value, ctx.writeOptions());
      ctx.err(`${key} = ${value}\n`);
    });
}

// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      [
        'run an executable factory node in one write transaction',
        '',
        'TARGET is a pond path (/system/run/mirror), a bare name (looked up as',
        '/system/run/NAME, then /system/etc/NAME), or host+FACTORY:///config.yaml to run a',
        'factory against the host namespace with no pond. ARGS go to the factory. What the',
        'factory writes commits when it succeeds; an error aborts it and pond log shows the',
        'run as FAILED with the error. Executable nodes under /system/run also run after',
        'every commit with the argument push (unless pond config sets',
        'factory.NAME.mode to pull).',
      ].join('\n'),
    )
    .argument('<target>', 'pond path, bare name, or host+FACTORY:///config.yaml')
    .argument('[args...]', 'arguments for the factory')
    .action(async (target: string, args: string[]) => {
      const { FACTORY_URL } = await import('../host.js');
      const registry = await ctx.registry();
      const hostUrl = FACTORY_URL.exec(target);
      if (hostUrl) {
        const factory = registry.get(hostUrl[1] as string);
        if (factory.kind !== 'executable') {
          throw new PondError(
            ErrorCode.INVALID_ARGUMENT,
            `${factory.name} is a ${factory.kind} factory, not an executable one`,
          );
        }
        const file = ctx.hostPath(hostUrl[2] as string);
        const text = await readFile(file, 'utf8').catch(() => {
          throw new PondError(ErrorCode.NOT_FOUND, `config file ${file} not found`, {
            path: file,
          });
        });
        const { parseConfigText } = await import('../../factories/config.js');
        const config = factory.validate(parseConfigText(text, ctx.io.env), registry);
        ctx.hostMode = true;
        await factory.run(config, {
          root: await ctx.reader(),
          inPond: false,
          path: target,
          args,
          env: ctx.io.env,
          hostRoot: ctx.hostRoot(),
          out: (text) => ctx.out(text),
          err: (text) => ctx.err(text),
          progress: (label, unit) => ctx.progress(label, unit),
        });
        return;
      }
      await (await ctx.open()).run(target, args, {
        out: (text) => ctx.out(text),
        progress: (label, unit) => ctx.progress(label, unit),
        args: ctx.args,
        ...ctx.writeOptions(),
      });
    });
}

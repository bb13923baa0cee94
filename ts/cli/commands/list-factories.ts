// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, writeAll } from '../output.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('list-factories')
    .description('list the factories mknod accepts: name, kind, description')
    .addOption(metadataFormatOption())
    .action(async (opts: { format: MetadataFormat }) => {
      const { ALIASES } = await import('../../factories/index.js');
      const factories = (await ctx.registry()).list();
      const aliases = Object.entries(ALIASES);
      if (opts.format === 'json') {
        const lines = factories.map((f) =>
          jsonLine({
            name: f.name,
            kind: f.kind,
            description: f.description,
            aliases: aliases.filter(([, target]) => target === f.name).map(([alias]) => alias),
          }),
        );
        await writeAll(ctx.io.stdout, lines);
        return;
      }
      const width = Math.max(...factories.map((f) => f.name.length));
      const lines = factories.map(
        (f) => `${f.name.padEnd(width)}  ${f.kind.padEnd(9)}  ${f.description}\n`,
      );
      lines.push(`\naliases: ${aliases.map(([a, t]) => `${a} = ${t}`).join(', ')}\n`);
      await writeAll(ctx.io.stdout, lines);
    });
}

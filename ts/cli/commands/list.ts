// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { PondEntry } from '../../pond.js';
import type { CliContext } from '../context.js';
import { listLine } from '../format.js';
import { asOfOption, type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, writeAll } from '../output.js';
import { listRecord } from '../output-json.js';
import { BrokenNodes, listPattern, selectNodes } from '../select.js';

const PAGE = 256;

interface ListOptions {
  long?: boolean;
  all?: boolean;
  strict?: boolean;
  bytes?: boolean;
  asOf?: string;
  format: MetadataFormat;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .alias('ls')
    .description(
      [
        'list pond entries matching a glob, sorted by path (no argument: everything; "/": the root; "dir/": its children; "/dir": the entry itself)',
        '',
        'each line: marker (or with -l the type name), size (512 B, 1.5 KB, 12.3 MB:',
        '1024-based, one decimal; --bytes for exact byte counts), [node]@[pond] ids',
        '(their last 12 hex digits), newest version, its UTC time, path. The pattern',
        'may be a URL (csv:///a/*.csv, host+csv:///in/*.csv): the entries its path',
        'matches are listed.',
      ].join('\n'),
    )
    .argument('[pattern]', 'glob with *, **, ? and [...], or a URL')
    .option('-l, --long', 'show type names instead of markers')
    .option('-a, --all', 'include entries whose names start with "."')
    .option('--bytes', 'print sizes as exact byte counts')
    .option('--strict', 'exit non-zero if a broken node was met (each is reported on stderr)')
    .addOption(asOfOption())
    .addOption(metadataFormatOption())
    .action(async (pattern: string | undefined, opts: ListOptions) => {
      ctx.asOf = opts.asOf;
      const { entryOf } = await import('../../pond.js');
      const target = pattern === undefined ? undefined : (await ctx.pattern(pattern)).path;
      const root = await ctx.reader();
      const broken = new BrokenNodes(ctx.io.stderr);
      const nodes = await selectNodes(root, listPattern(target), opts.all ?? false, broken);
      const pondId = root.fs.persistence.pondId;
      const line = (entry: PondEntry) =>
        opts.format === 'json'
          ? jsonLine(listRecord(entry, pondId))
          : listLine(entry, pondId, opts.long ?? false, opts.bytes ? 'bytes' : 'human');
      // Entries are read a page at a time, so a closed stdout stops the listing early.
      const lines = (async function* () {
        for (let i = 0; i < nodes.length; i += PAGE) {
          const page = nodes.slice(i, i + PAGE).map((np) => entryOf(root, np));
          yield (await Promise.all(page)).map(line).join('');
        }
      })();
      await writeAll(ctx.io.stdout, lines);
      broken.check(opts.strict ?? false);
    });
}

// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { ErrorCode, invalidArgument, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { asOfOption } from '../options.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('copy')
    .alias('cp')
    .description(
      [
        'copy host files into the pond, or pond files out to the host',
        '',
        'into the pond: SOURCE is host:///path (raw bytes; host+file:///path is the',
        '  same), host+table:///file.parquet (a Parquet table),',
        '  host+series:///file.parquet (a new version of a Parquet series, with its',
        '  event-time range recorded), or a host directory (copied recursively).',
        '  DEST is a pond path: an existing directory receives the sources by name;',
        '  an existing file gets a new version; a new path is created (DEST ending',
        '  in / is a directory, created if missing).',
        'out of the pond: DEST is host:///dir; SOURCE is a pond path or glob; each',
        '  file is written at its absolute pond path below dir, or with',
        '  --strip-prefix P at its path below P (--strip-prefix /hydrovu:',
        '  /hydrovu/devices/1.series -> dir/devices/1.series).',
      ].join('\n'),
    )
    .usage('[options] <source...> <dest>')
    .option('--time-column <name>', 'event-time column of host+series copies (default: detected)')
    .option(
      '--strip-prefix <dir>',
      'copying out: drop this leading pond directory from the recreated paths (every file must lie below it)',
    )
    .addOption(asOfOption())
    .argument(
      '<paths...>',
      'sources (host URLs into the pond, pond paths/globs out), then the destination',
    )
    .action(
      async (
        paths: string[],
        opts: { timeColumn?: string; asOf?: string; stripPrefix?: string },
      ) => {
        if (paths.length < 2)
          throw invalidArgument('copy needs at least one source and a destination');
        const sources = paths.slice(0, -1);
        const dest = paths[paths.length - 1] as string;
        const { isUrl, parseUrl } = await import('../../query/url.js');
        if (isUrl(dest)) {
          const url = parseUrl(dest);
          const fromHost = sources.find(isUrl);
          if (fromHost) {
            throw invalidArgument(
              `${fromHost}: copying from the host to the host is not supported; copy into the pond or out of it`,
            );
          }
          if (!url.host)
            throw invalidArgument(`copy out needs a host:///dir destination, not ${dest}`);
          ctx.asOf = opts.asOf;
          const { copyOut } = await import('../copy-out.js');
          const count = await copyOut(
            ctx,
            sources,
            ctx.hostPath(url.path),
            opts.stripPrefix === undefined ? {} : { stripPrefix: opts.stripPrefix },
          );
          ctx.err(`copied ${count} file(s) to ${ctx.hostPath(url.path)}\n`);
          return;
        }
        if (opts.asOf !== undefined) {
          throw invalidArgument(
            '--as-of applies to copies out of the pond (host:///dir destination)',
          );
        }
        if (opts.stripPrefix !== undefined) {
          throw invalidArgument(
            '--strip-prefix applies to copies out of the pond (host:///dir destination); copying in, only each source name is kept below DEST (the original ignores the flag here)',
          );
        }
        const parsed = sources.map((s) => {
          if (!isUrl(s)) {
            throw invalidArgument(
              `${s}: sources copied into the pond are host URLs; write host:///${s.replace(/^\/+/, '')}`,
            );
          }
          const url = parseUrl(s);
          if (!url.host) {
            throw new PondError(
              ErrorCode.INVALID_ARGUMENT,
              `${s}: copying between pond paths is not supported; copy out to host:///dir instead`,
            );
          }
          return { url, text: s };
        });
        const { copyIn } = await import('../copy-in.js');
        await copyIn(ctx, parsed, dest, opts.timeColumn ? { timeColumn: opts.timeColumn } : {});
      },
    );
}

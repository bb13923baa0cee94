// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'build a sample pond in DIR (default ./demo-pond) showing what pond can do, then list it and run a query over it',
    )
    .argument('[dir]', 'where to create the demo pond (must not exist or be empty)', 'demo-pond')
    .action(async (dir: string) => {
      const { buildDemo, DEMO_QUERY } = await import('../demo.js');
      const path = await buildDemo(dir, ctx.io.cwd, await ctx.environment());
      ctx.out(`Created a demo pond at ${path}\n\n$ export POND=${path}\n$ pond list '/**'\n`);
      const io = { ...ctx.io, env: { ...ctx.io.env, POND: path } };
      await ctx.runCli(['list', '/**'], io);
      ctx.out(`\n$ pond sql "${DEMO_QUERY}" --format table\n`);
      await ctx.runCli(['sql', DEMO_QUERY, '--format', 'table'], io);
      ctx.out(
        `\n$ pond sql --explain "..."   # through the view, the day-1 version of each series is skipped\n`,
      );
      const explained = await captureExplain(io);
      ctx.out(explained);
      const series = '/sensors/well-north/levels.series';
      ctx.out(
        `\n$ pond history ${series}   # one version per day, each from its own transaction\n`,
      );
      await ctx.runCli(['history', series], io);
      const count = `SELECT count(*) AS readings FROM '${series}'`;
      ctx.out(`\n$ pond sql "${count}" --as-of 2 --format table   # as it was after day 1\n`);
      await ctx.runCli(['sql', count, '--as-of', '2', '--format', 'table'], io);
      const { DEMO_LOG_QUERY } = await import('../demo.js');
      ctx.out(
        `\n$ pond run pump-house-log   # logfile-ingest: ${path}/host-logs/access.log -> /logs/pump-house\n$ pond sql "${DEMO_LOG_QUERY}" --format table\n`,
      );
      await ctx.runCli(['sql', DEMO_LOG_QUERY, '--format', 'table'], io);
      ctx.out('\n$ pond status\n');
      await ctx.runCli(['status'], io);
      ctx.out(
        `\nThe post-commit factory /system/run/mirror copies /sensors/** to ${path}/mirror after every commit.\n`,
      );
      ctx.out(
        "\nTry: pond log, pond describe '/derived/*', pond cat /derived/rollups/well-north/res=6h.series --format table\n",
      );
    });

  async function captureExplain(io: CliContext['io']): Promise<string> {
    const { PassThrough } = await import('node:stream');
    const { DEMO_QUERY } = await import('../demo.js');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await ctx.runCli(['sql', DEMO_QUERY, '--explain'], { ...io, stdout: out });
    const text = Buffer.concat(chunks).toString('utf8');
    return `${text
      .split('\n')
      .filter((l) => l.includes('PondScanExec'))
      .map((l) => `  ${l.trim().replace(/ inner=.*$/, '')}`)
      .join('\n')}\n`;
  }
}

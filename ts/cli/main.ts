// SPDX-License-Identifier: Apache-2.0
/**
 * The `pond` command line. `createCli` builds the commander program around a
 * `CliContext` (streams, environment), so tests run it in-process; `run` parses argv
 * and turns every failure into `Error: <message>` on stderr and a non-zero exit code.
 * Commands load heavy modules (the addon) lazily so `pond --help` stays instant.
 */

import { Command, CommanderError } from 'commander';
import { PondError } from '../errors.js';
import * as apply from './commands/apply.js';
import * as cat from './commands/cat.js';
import * as config from './commands/config.js';
import * as copy from './commands/copy.js';
import * as demo from './commands/demo.js';
import * as describe from './commands/describe.js';
import * as fsck from './commands/fsck.js';
import * as init from './commands/init.js';
import * as list from './commands/list.js';
import * as log from './commands/log.js';
import * as maintain from './commands/maintain.js';
import * as mkdir from './commands/mkdir.js';
import * as mknod from './commands/mknod.js';
import * as rebuild from './commands/rebuild.js';
import * as recover from './commands/recover.js';
import * as runCommand from './commands/run.js';
import * as show from './commands/show.js';
import * as sql from './commands/sql.js';
import * as status from './commands/status.js';
import { CliContext, type CliIO } from './context.js';
import { nonNegativeSeconds } from './options.js';

const COMMANDS = [
  init,
  mkdir,
  list,
  copy,
  cat,
  sql,
  describe,
  mknod,
  apply,
  rebuild,
  runCommand,
  log,
  show,
  status,
  config,
  recover,
  fsck,
  maintain,
  demo,
];

export function createCli(io: CliIO): { program: Command; ctx: CliContext } {
  const ctx = new CliContext(io);
  const program = new Command('pond')
    .description('pond: a transactional, versioned filesystem for files, tables and time series')
    .option('--pond <path>', 'pond directory (default: $POND)')
    .option('-d, --directory <dir>', 'root directory for host+ URLs and host mode', '/')
    .option(
      '--hostmount <mount>',
      'host mode (no pond): mount /MNT=host+FACTORY:///config.yaml or /MNT=DIR over the host namespace (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--wait <seconds>',
      'when another process is writing, wait up to SECONDS for it instead of failing with LOCKED',
      nonNegativeSeconds,
    )
    .showHelpAfterError('(run pond --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  program.hook('preAction', () => {
    ctx.globals = program.opts();
  });
  for (const command of COMMANDS) command.register(program, ctx);
  for (const sub of program.commands) {
    sub.exitOverride();
    // The command list shows the first line; `pond help CMD` the whole description.
    const [first, ...rest] = sub.description().split('\n');
    if (rest.length > 0 && first) sub.summary(first);
  }
  return { program, ctx };
}

function describeError(err: unknown): string {
  if (err instanceof PondError) return err.message;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** Run one command line (without the `pond` word); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { program, ctx } = createCli(io);
  ctx.args = [...argv];
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr.write(`Error: ${describeError(err)}\n`);
    return 1;
  }
}

export async function main(): Promise<void> {
  const code = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
}

// SPDX-License-Identifier: Apache-2.0
/**
 * The `pond` command line. `createCli` builds the commander program around a
 * `CliContext` (streams, environment), so tests run it in-process; `run` parses argv
 * and turns every failure into `Error [CODE]: <message>` on stderr (a JSON object with
 * `--format json`) and the code's exit status (see `exit-codes.ts`). A reader closing
 * stdout early ends the command with status 0. Commands load heavy modules (the addon)
 * lazily so `pond --help` stays instant.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import * as apply from './commands/apply.js';
import * as cat from './commands/cat.js';
import * as completion from './commands/completion.js';
import * as config from './commands/config.js';
import * as copy from './commands/copy.js';
import * as demo from './commands/demo.js';
import * as describe from './commands/describe.js';
import * as files from './commands/files.js';
import * as fsck from './commands/fsck.js';
import * as history from './commands/history.js';
import * as importOriginal from './commands/import-original.js';
import * as init from './commands/init.js';
import * as list from './commands/list.js';
import * as listFactories from './commands/list-factories.js';
import * as log from './commands/log.js';
import * as maintain from './commands/maintain.js';
import * as mkdir from './commands/mkdir.js';
import * as mknod from './commands/mknod.js';
import * as rebuild from './commands/rebuild.js';
import * as recover from './commands/recover.js';
import * as remote from './commands/remote.js';
import * as runCommand from './commands/run.js';
import * as show from './commands/show.js';
import * as sql from './commands/sql.js';
import * as status from './commands/status.js';
import * as temporal from './commands/temporal.js';
import { CliContext, type CliIO } from './context.js';
import {
  ExitStatus,
  errorJson,
  errorText,
  exitStatus,
  exitTableText,
  type Failure,
  failure,
  USAGE,
} from './exit-codes.js';
import { checkHostmount, nonNegativeSeconds } from './options.js';
import { OutputClosed, watchOutput } from './output.js';

const COMMANDS = [
  init,
  mkdir,
  list,
  copy,
  cat,
  files,
  sql,
  describe,
  history,
  temporal,
  mknod,
  listFactories,
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
  remote,
  importOriginal,
  demo,
  completion,
];

/** How `run` reports errors: a text line, or with `--format json` a JSON object. */
export interface CliOptions {
  readonly jsonErrors?: boolean;
}

/** The `version` of the package this CLI belongs to (`package.json` next to `dist/`). */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export function createCli(
  io: CliIO,
  options: CliOptions = {},
): { program: Command; ctx: CliContext } {
  const ctx = new CliContext(io, run);
  const report = (f: Failure) => (options.jsonErrors ? errorJson(f) : errorText(f));
  const program = new Command('pond')
    .description('pond: a transactional, versioned filesystem for files, tables and time series')
    .version(packageVersion(), '-V, --version', "print pond's version")
    .option('--pond <path>', 'pond directory (default: $POND)')
    .option('-d, --directory <dir>', 'root directory for host+ URLs and host mode', '/')
    .option(
      '--hostmount <mount>',
      'host mode (no pond; an error when POND is set): mount /MNT=host+FACTORY:///config.yaml (dyndir = dynamic-dir) or /MNT=DIR over the host namespace, read by pond paths and host+ URLs alike (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--quiet', 'no progress line on stderr')
    .option(
      '--wait <seconds>',
      'when another process is writing, wait up to SECONDS for it instead of failing with LOCKED',
      nonNegativeSeconds,
    )
    .showHelpAfterError(options.jsonErrors ? false : '(run pond --help for usage)')
    .exitOverride()
    .helpCommand(false)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => {
        const message = s.replace(/^error: /, '').trimEnd();
        write(report({ code: USAGE, message, path: null, causes: [] }));
      },
    })
    .addHelpText('after', '\nExit statuses and error codes: pond help exit-codes');
  program.hook('preAction', () => {
    ctx.globals = program.opts();
    checkHostmount(ctx.globals, io.env);
  });
  for (const command of COMMANDS) command.register(program, ctx);
  registerHelp(program, ctx);
  for (const sub of program.commands) {
    sub.exitOverride();
    // The command list shows the first line; `pond help CMD` the whole description.
    const [first, ...rest] = sub.description().split('\n');
    if (rest.length > 0 && first) sub.summary(first);
  }
  return { program, ctx };
}

/** `pond help [COMMAND | TOPIC]`: commander's help, plus the exit-codes topic. */
function registerHelp(program: Command, ctx: CliContext): void {
  program
    .command('help')
    .description('show help for pond, for a command, or for a topic: exit-codes')
    .argument('[topic]', 'a command name, or exit-codes')
    .action((topic: string | undefined) => {
      if (topic === undefined) return program.outputHelp();
      if (topic === 'exit-codes') return ctx.out(exitTableText());
      const command = program.commands.find(
        (c) => c.name() === topic || c.aliases().includes(topic),
      );
      if (!command) {
        program.error(`unknown help topic '${topic}' (a command name, or exit-codes)`, {
          code: 'commander.unknownCommand',
        });
      }
      command?.outputHelp();
    });
}

/** Whether the command line asks for JSON output (`--format json`), and so JSON errors. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      arg === '--format=json' ||
      arg === '--display=json' ||
      ((arg === '--format' || arg === '--display') && argv[i + 1] === 'json'),
  );
}

/** Global options that take a value (their value is not the command name). */
const GLOBAL_VALUE_OPTIONS = new Set(['--pond', '-d', '--directory', '--hostmount', '--wait']);

/**
 * `--version K` after the command (`pond cat PATH --version K`) as `--version=K`: commander
 * gives a program option precedence wherever it appears, and the program's `--version`
 * takes no value, so the `=` form reaches the command's own option.
 */
export function commandVersionArgs(argv: readonly string[]): string[] {
  const out = [...argv];
  let i = 0;
  while (i < out.length && (out[i] as string).startsWith('-')) {
    i += GLOBAL_VALUE_OPTIONS.has(out[i] as string) ? 2 : 1;
  }
  for (let j = i + 1; j < out.length - 1; j++) {
    if (out[j] === '--') break;
    if (out[j] === '--version' && !(out[j + 1] as string).startsWith('-')) {
      out.splice(j, 2, `--version=${out[j + 1]}`);
    }
  }
  return out;
}

/** Run one command line (without the `pond` word); resolves to the exit status. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  watchOutput(io.stdout);
  watchOutput(io.stderr);
  const jsonErrors = wantsJson(argv);
  const { program, ctx } = createCli(io, { jsonErrors });
  ctx.args = [...argv];
  try {
    await program.parseAsync(commandVersionArgs(argv), { from: 'user' });
    return ExitStatus.OK;
  } catch (err) {
    if (err instanceof OutputClosed) return ExitStatus.OK;
    // Commander has already printed its message (help, version: status 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitStatus.OK : ExitStatus.USAGE;
    const f = failure(err);
    io.stderr.write(jsonErrors ? errorJson(f) : errorText(f));
    return exitStatus(f.code);
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

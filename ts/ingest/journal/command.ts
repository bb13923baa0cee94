// SPDX-License-Identifier: Apache-2.0
/**
 * Running the journal reader for `journal-ingest`, within the trust model
 * (docs/trust-model.md, "No code execution"). A config in a pond may have come from
 * anywhere, so it does not get to choose a program: it may name `journalctl` (the default),
 * `/usr/bin/journalctl` or `/bin/journalctl`, meaning "this machine's journal reader", which
 * is `journalctl` found on PATH unless the operator names another program in the
 * environment variable `POND_JOURNALCTL`; or exactly the program `POND_JOURNALCTL` names.
 * Anything else is refused before anything runs. The arguments are pond's own
 * (`--output=json --no-pager [--after-cursor=C]`) plus `extra_args`, which may only be
 * journalctl's read-only filters (`--merge`, `--unit X`, `--since X`, `FIELD=VALUE`...):
 * options that write (`--vacuum-*`, `--rotate`, `--cursor-file`), never end (`--follow`),
 * change the output or read other files (`--directory`, `--file`, `--root`) are refused.
 * The program is started directly, never through a shell.
 *
 * Output is read line by line as it arrives, at the pace the caller stores it.
 */

import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { ErrorCode, PondError } from '../../errors.js';

/** The environment variable naming this machine's journal reader (an operator's choice). */
export const JOURNALCTL_ENV = 'POND_JOURNALCTL';

/** What a stored config may name to mean "this machine's journalctl". */
const SYSTEM_NAMES = new Set(['journalctl', '/usr/bin/journalctl', '/bin/journalctl']);

/** journalctl options that filter what is read, without a value. */
const FLAGS = new Set([
  '--merge',
  '-m',
  '--system',
  '--user',
  '--dmesg',
  '-k',
  '--utc',
  '--all',
  '-a',
  '--quiet',
  '-q',
  '--no-hostname',
  '--case-sensitive',
  '--boot',
  '-b',
]);

/** journalctl filter options that take a value (`--since X` or `--since=X`). */
const WITH_VALUE = new Set([
  '--since',
  '-S',
  '--until',
  '-U',
  '--unit',
  '-u',
  '--user-unit',
  '--priority',
  '-p',
  '--facility',
  '--identifier',
  '-t',
  '--grep',
  '-g',
  '--machine',
  '-M',
  '--namespace',
  '--output-fields',
]);

/** A journal field match (`_SYSTEMD_UNIT=x.service`) or the `+` that ORs matches. */
const MATCH = /^([A-Z0-9_]+=|\+$)/;

type Env = Readonly<Record<string, string | undefined>>;

/** The program a config's `journalctl_command` runs here; INVALID_CONFIG when it may not. */
export function journalProgram(configured: string, env: Env): string {
  const operator = env[JOURNALCTL_ENV];
  if (operator && configured === operator) return operator;
  if (SYSTEM_NAMES.has(configured)) return operator || configured;
  throw new PondError(
    ErrorCode.INVALID_CONFIG,
    `journal-ingest: journalctl_command: ${JSON.stringify(configured)} is not run: a config stored in a pond may only name journalctl (this machine's journal reader); to run another program, the operator names it in ${JOURNALCTL_ENV}`,
  );
}

/** `extra_args` checked against journalctl's read-only filters; INVALID_CONFIG naming the first other. */
export function checkExtraArgs(args: readonly string[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const eq = arg.indexOf('=');
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    if (!arg.startsWith('-') && MATCH.test(arg)) continue;
    // `--boot` and `--case-sensitive` stand alone or take `=VALUE`.
    if (arg.startsWith('-') && (FLAGS.has(option) || (eq > 0 && WITH_VALUE.has(option)))) {
      continue;
    }
    if (WITH_VALUE.has(arg) && i + 1 < args.length) {
      i++;
      continue;
    }
    throw new PondError(
      ErrorCode.INVALID_CONFIG,
      `journal-ingest: extra_args[${i}]: ${JSON.stringify(arg)} is not one of journalctl's read-only filters (allowed: ${[...FLAGS].join(', ')}, ${[...WITH_VALUE].map((o) => `${o} VALUE`).join(', ')}, FIELD=VALUE, +)`,
    );
  }
}

/** The whole argument list pond passes. */
export function journalArgs(cursor: string | null, extra: readonly string[]): string[] {
  return ['--output=json', '--no-pager', ...(cursor ? [`--after-cursor=${cursor}`] : []), ...extra];
}

/** At most this much of the program's stderr goes into an error message. */
const STDERR_LIMIT = 4096;

/** Lines of a byte stream (LF or CRLF), each awaited before the next chunk is read. */
async function eachLine(
  input: AsyncIterable<Buffer>,
  onLine: (line: string) => Promise<void> | void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (line: string) => onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const chunk of input) {
    const parts = (rest + decoder.write(chunk)).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) await emit(line);
  }
  rest += decoder.end();
  if (rest !== '') await emit(rest);
}

/**
 * Run `program` with `args`, handing each stdout line to `onLine` as it arrives (the next
 * chunk is read only once it is done, so a slow consumer holds the program back instead of
 * buffering its output); resolves when it exits 0, rejects (IO) with its stderr when it exits
 * otherwise, NOT_FOUND when it cannot be started.
 */
export async function runJournal(
  program: string,
  args: readonly string[],
  env: Env,
  onLine: (line: string) => Promise<void> | void,
): Promise<void> {
  const childEnv = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const child = spawn(program, args, {
    env: childEnv,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  );
  // Awaited below, after the output is read; a failed start must not go unhandled till then.
  exited.catch(() => undefined);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += c.toString('utf8');
  });
  try {
    await eachLine(child.stdout, onLine);
  } catch (err) {
    child.kill();
    await exited.catch(() => undefined);
    throw err;
  }
  const { code, signal } = await exited.catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT'
      ? new PondError(ErrorCode.NOT_FOUND, `journal-ingest: ${program}: not found`, {
          path: program,
          cause: err,
        })
      : new PondError(ErrorCode.IO, `journal-ingest: ${program}: ${err.message}`, {
          path: program,
          cause: err,
        });
  });
  if (code === 0) return;
  const why = signal ? `was killed by ${signal}` : `exited ${code}`;
  const text = stderr.slice(0, STDERR_LIMIT).trim();
  throw new PondError(
    ErrorCode.IO,
    `journal-ingest: ${program} ${why}${text ? `: ${text}` : ''}; nothing was collected`,
    { path: program },
  );
}

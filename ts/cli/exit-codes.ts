// SPDX-License-Identifier: Apache-2.0
/**
 * How the CLI reports a failure to scripts: the exit status of each error code (one table,
 * listed by `pond help exit-codes`), and the `Error [CODE]: message` line, or with
 * `--format json` the `{"error": {...}}` object, written on stderr.
 */

import { ErrorCode, PondError } from '../errors.js';

/** Exit statuses, one per class of failure. Part of the CLI's contract: never renumber one. */
export const ExitStatus = {
  OK: 0,
  INVALID: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  LOCKED: 4,
  CONFLICT: 5,
  CORRUPT: 6,
  IO: 7,
  TIMEOUT: 8,
  UNAVAILABLE: 69,
  INTERNAL: 70,
} as const;

export type ExitStatus = (typeof ExitStatus)[keyof typeof ExitStatus];

/** The code the CLI reports for command-line mistakes caught by the parser (not an ErrorCode). */
export const USAGE = 'USAGE';

/** Every error code's exit status; the type makes a new ErrorCode without a status an error. */
const STATUS_OF: { readonly [C in ErrorCode]: ExitStatus } = {
  INVALID_ARGUMENT: ExitStatus.INVALID,
  INVALID_CONFIG: ExitStatus.INVALID,
  INVALID_DATA: ExitStatus.INVALID,
  SQL: ExitStatus.INVALID,
  READ_ONLY: ExitStatus.INVALID,
  NOT_A_POND: ExitStatus.NOT_FOUND,
  NOT_FOUND: ExitStatus.NOT_FOUND,
  NOT_A_DIRECTORY: ExitStatus.NOT_FOUND,
  IS_A_DIRECTORY: ExitStatus.NOT_FOUND,
  SYMLINK_LOOP: ExitStatus.NOT_FOUND,
  LOCKED: ExitStatus.LOCKED,
  ALREADY_EXISTS: ExitStatus.CONFLICT,
  COMMIT_CONFLICT: ExitStatus.CONFLICT,
  SCHEMA_MISMATCH: ExitStatus.CONFLICT,
  OUT_OF_SYNC: ExitStatus.CONFLICT,
  CORRUPT: ExitStatus.CORRUPT,
  IO: ExitStatus.IO,
  TIMEOUT: ExitStatus.TIMEOUT,
  NATIVE_UNAVAILABLE: ExitStatus.UNAVAILABLE,
  INTERNAL: ExitStatus.INTERNAL,
};

const MEANING: { readonly [S in ExitStatus]: string } = {
  0: 'success (also when a reader closed stdout early, as head does)',
  1: 'invalid input: an argument, config, data or SQL pond cannot use',
  2: 'usage: unknown command or option, missing or malformed argument',
  3: 'not found: no pond, no such path, or a path of the wrong kind',
  4: 'locked: another process is writing (see --wait)',
  5: 'conflict: the path exists, a concurrent commit won, schemas differ, or a remote is out of sync',
  6: 'corrupt: stored bytes or rows fail verification (see pond fsck)',
  7: 'I/O: reading or writing the pond or a host file failed',
  8: 'timeout: a query ran past its time limit',
  69: 'unavailable: the native addon for this platform is not installed or not built',
  70: 'internal: a bug in pond; please report it with the message',
};

export function exitStatus(code: string): ExitStatus {
  if (code === USAGE) return ExitStatus.USAGE;
  return STATUS_OF[code as ErrorCode] ?? ExitStatus.INTERNAL;
}

/** The rows of `pond help exit-codes`: status, meaning, the codes that map to it. */
export function exitTable(): { status: ExitStatus; meaning: string; codes: string[] }[] {
  return Object.values(ExitStatus).map((status) => ({
    status,
    meaning: MEANING[status],
    codes: [
      ...(status === ExitStatus.USAGE ? [USAGE] : []),
      ...Object.values(ErrorCode).filter((c) => STATUS_OF[c] === status),
    ],
  }));
}

export function exitTableText(): string {
  const lines = ['Exit status of pond, and the error codes (Error [CODE]: ...) behind each:', ''];
  for (const row of exitTable()) {
    lines.push(`  ${String(row.status).padStart(2)}  ${row.meaning}`);
    if (row.codes.length > 0) lines.push(`      ${row.codes.join(', ')}`);
  }
  lines.push('', 'With --format json, an error is one line on stderr:');
  lines.push('  {"error": {"code": "NOT_FOUND", "message": "...", "path": "/a", "causes": []}}');
  return `${lines.join('\n')}\n`;
}

/** A failure as the CLI reports it. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly path: string | null;
  /** Messages of the cause chain not already part of `message`, outermost first. */
  readonly causes: string[];
}

/** Node's errno codes that name a pond error code; other system errors are IO. */
const ERRNO: Readonly<Record<string, ErrorCode>> = {
  ENOENT: ErrorCode.NOT_FOUND,
  EEXIST: ErrorCode.ALREADY_EXISTS,
  ENOTDIR: ErrorCode.NOT_A_DIRECTORY,
  EISDIR: ErrorCode.IS_A_DIRECTORY,
  ELOOP: ErrorCode.SYMLINK_LOOP,
};

function codeOf(err: unknown): string {
  if (err instanceof PondError) return err.code;
  const errno = (err as { code?: unknown; syscall?: unknown } | null)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return ERRNO[errno] ?? ErrorCode.IO;
  return ErrorCode.INTERNAL;
}

/** The addon's `[CODE] ` message prefix, which a rehydrated error's cause still carries. */
const CODE_PREFIX = /^\[[A-Z_]+\] /;

export function failure(err: unknown): Failure {
  const message = err instanceof Error ? err.message : String(err);
  const path =
    err instanceof PondError
      ? (err.path ?? null)
      : typeof (err as { path?: unknown } | null)?.path === 'string'
        ? ((err as { path: string }).path ?? null)
        : null;
  const causes: string[] = [];
  let seen = message;
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 16; depth++) {
    const text = (cause instanceof Error ? cause.message : String(cause)).replace(CODE_PREFIX, '');
    if (text && !seen.includes(text)) {
      causes.push(text);
      seen += `\n${text}`;
    }
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return { code: codeOf(err), message, path, causes };
}

/** `Error [CODE]: message` and one indented line per cause. */
export function errorText(f: Failure): string {
  const lines = [`Error [${f.code}]: ${f.message}`, ...f.causes.map((c) => `  caused by: ${c}`)];
  return `${lines.join('\n')}\n`;
}

export function errorJson(f: Failure): string {
  return `${JSON.stringify({ error: { code: f.code, message: f.message, path: f.path, causes: f.causes } })}\n`;
}

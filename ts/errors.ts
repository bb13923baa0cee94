// SPDX-License-Identifier: Apache-2.0
/**
 * pond's error type. Every failure a user can cause carries a stable {@link ErrorCode};
 * programs and tests branch on the code (and `path`), never on message text.
 */

/** Stable error codes. Part of the public API: never rename one. */
export const ErrorCode = {
  /** No pond at the given path, or POND is unset. */
  NOT_A_POND: 'NOT_A_POND',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  NOT_A_DIRECTORY: 'NOT_A_DIRECTORY',
  IS_A_DIRECTORY: 'IS_A_DIRECTORY',
  SYMLINK_LOOP: 'SYMLINK_LOOP',
  READ_ONLY: 'READ_ONLY',
  /** Another process holds the pond's write lock. */
  LOCKED: 'LOCKED',
  COMMIT_CONFLICT: 'COMMIT_CONFLICT',
  SCHEMA_MISMATCH: 'SCHEMA_MISMATCH',
  /** Input that is not what it claims to be: not Parquet, malformed CSV or JSON... */
  INVALID_DATA: 'INVALID_DATA',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_CONFIG: 'INVALID_CONFIG',
  SQL: 'SQL',
  /** A query ran past its statement timeout and was cancelled. */
  TIMEOUT: 'TIMEOUT',
  /** Stored bytes or rows that fail verification (hash mismatch, malformed oplog row). */
  CORRUPT: 'CORRUPT',
  IO: 'IO',
  /** A remote and the pond (or its replica) differ: one is behind, or they diverged. */
  OUT_OF_SYNC: 'OUT_OF_SYNC',
  /** The native addon for this platform could not be loaded (not installed, not built). */
  NATIVE_UNAVAILABLE: 'NATIVE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES = new Set<string>(Object.values(ErrorCode));

export function isErrorCode(value: string): value is ErrorCode {
  return CODES.has(value);
}

/**
 * An error from pond, with a stable `code` and, where one applies, the pond or host
 * `path` it concerns. The original error, if any, is kept as `cause`.
 *
 * @example
 * ```ts
 * try { await pond.read('/missing'); }
 * catch (err) { if (err instanceof PondError && err.code === 'NOT_FOUND') { ... } }
 * ```
 */
export class PondError extends Error {
  /** The stable code to branch on. */
  readonly code: ErrorCode;
  /** The pond or host path the error concerns, when there is one. */
  readonly path: string | undefined;

  constructor(code: ErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PondError';
    this.code = code;
    this.path = options.path;
  }
}

/** Shorthand for the errors that name a path. */
export function notFound(path: string, what = 'no such file or directory'): PondError {
  return new PondError(ErrorCode.NOT_FOUND, `${path}: ${what}`, { path });
}

export function alreadyExists(path: string): PondError {
  return new PondError(ErrorCode.ALREADY_EXISTS, `${path}: already exists`, { path });
}

export function notADirectory(path: string): PondError {
  return new PondError(ErrorCode.NOT_A_DIRECTORY, `${path}: not a directory`, { path });
}

export function isADirectory(path: string): PondError {
  return new PondError(ErrorCode.IS_A_DIRECTORY, `${path}: is a directory`, { path });
}

export function invalidArgument(message: string, path?: string): PondError {
  return new PondError(ErrorCode.INVALID_ARGUMENT, message, path === undefined ? {} : { path });
}

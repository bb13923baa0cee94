// SPDX-License-Identifier: Apache-2.0
/**
 * Confined host paths. Every host path pond reads or writes lies inside a root: `-d DIR`
 * for what a command names, the pond's `host.root` setting for what its executable nodes
 * write (docs/trust-model.md).
 *
 * - {@link hostUrlPath}: the path of a host URL, under the root (`host:///a/b` is ROOT/a/b);
 * - {@link hostConfigPath}: a host path in a config or argument: relative ones are under the
 *   root, absolute ones must lie inside it.
 *
 * Both refuse empty paths, NUL bytes and `..` that climbs above the root, lexically and
 * before any I/O, naming the offending path. {@link realInside} then refuses paths that
 * leave the root through a symlink. Opening without following symlinks is `host-dir.ts`.
 */

import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';

/** The codes a refused host path carries: a command's argument, or a stored config. */
export type HostPathCode = typeof ErrorCode.INVALID_ARGUMENT | typeof ErrorCode.INVALID_CONFIG;

/** A refused host path, with the path as it was given. */
export function refusedPath(code: ErrorCode, path: string, why: string): PondError {
  return new PondError(code, `host path ${JSON.stringify(path)} ${why}`, { path });
}

/** Whether `path` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

function checkText(path: string, code: HostPathCode): void {
  if (path === '') throw refusedPath(code, path, 'is empty');
  if (path.includes('\0')) throw refusedPath(code, path, 'contains a NUL byte');
}

/** `parts` below `base`; `..` may go back up, never above `base`. */
function below(base: string, path: string, code: HostPathCode, root: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.pop() === undefined) throw refusedPath(code, path, `climbs above ${root}`);
  }
  return join(base, ...out);
}

/**
 * The host path a host URL's path names: below `root`, whether the URL path is written
 * absolute (`/a/b`, the usual form) or not.
 *
 * @example
 * ```ts
 * hostUrlPath('/srv', '/in/a.csv'); // '/srv/in/a.csv'
 * hostUrlPath('/srv', '/../etc');   // throws INVALID_ARGUMENT
 * ```
 */
export function hostUrlPath(
  root: string,
  urlPath: string,
  code: HostPathCode = ErrorCode.INVALID_ARGUMENT,
): string {
  checkText(urlPath, code);
  const top = resolve(root);
  return below(top, urlPath, code, `the host root ${top}`);
}

/**
 * A host path from a config (or a command's argument): relative paths are under `root`;
 * absolute paths are taken as they are and must lie inside `root`.
 *
 * @example
 * ```ts
 * hostConfigPath('/srv', 'mirror');      // '/srv/mirror'
 * hostConfigPath('/srv', '/srv/mirror'); // '/srv/mirror'
 * hostConfigPath('/srv', '/etc');        // throws INVALID_CONFIG
 * ```
 */
export function hostConfigPath(
  root: string,
  path: string,
  code: HostPathCode = ErrorCode.INVALID_CONFIG,
): string {
  checkText(path, code);
  const top = resolve(root);
  if (!isAbsolute(path)) return below(top, path, code, `the host root ${top}`);
  const absolute = below('/', path, code, '/');
  if (!isInside(top, absolute)) throw refusedPath(code, path, `is outside the host root ${top}`);
  return absolute;
}

/** A Node file-system error as a PondError naming `path`. */
export function hostError(err: unknown, path: string): PondError {
  if (err instanceof PondError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const at = { path, cause: err };
  switch (code) {
    case 'ENOENT':
      return new PondError(ErrorCode.NOT_FOUND, `host path ${path}: no such file or directory`, at);
    case 'EEXIST':
      return new PondError(ErrorCode.ALREADY_EXISTS, `host path ${path}: already exists`, at);
    case 'ENOTDIR':
      return new PondError(ErrorCode.NOT_A_DIRECTORY, `host path ${path}: not a directory`, at);
    case 'EISDIR':
    case 'ENOTEMPTY':
      return new PondError(ErrorCode.IS_A_DIRECTORY, `host path ${path}: is a directory`, at);
    case 'ENAMETOOLONG':
      return new PondError(ErrorCode.INVALID_ARGUMENT, `host path ${path}: name too long`, at);
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return new PondError(ErrorCode.INVALID_ARGUMENT, `host path ${JSON.stringify(path)}`, at);
    default: {
      const why = err instanceof Error ? err.message : String(err);
      return new PondError(ErrorCode.IO, `host path ${path}: ${why}`, at);
    }
  }
}

/**
 * Refuse a path below `root` (lexically) that leaves it through a symlink: the real path of
 * `path`, or of its nearest existing ancestor, must lie inside the real root. A dangling
 * symlink on the way is refused too (creating through it would land who knows where).
 * Returns the real path of `path` when it exists, else null.
 */
export async function realInside(
  root: string,
  path: string,
  code: HostPathCode,
): Promise<string | null> {
  const top = resolve(root);
  if (top === '/') return realpath(path).catch(() => null);
  const realRoot = await realpath(top).catch(() => null);
  // Nothing exists below a root that does not exist, so there is no symlink to follow.
  if (realRoot === null) return null;
  for (let probe = path; ; probe = dirname(probe)) {
    const st = await lstat(probe).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw hostError(err, probe);
    });
    if (st) {
      const real = await realpath(probe).catch(() => null);
      if (real === null)
        throw refusedPath(code, path, `leads through a dangling symlink at ${probe}`);
      if (!isInside(realRoot, real)) {
        throw refusedPath(code, path, `leads outside the host root ${top} (through a symlink)`);
      }
      return probe === path ? real : null;
    }
    if (probe === top || !isInside(top, probe)) return null;
  }
}

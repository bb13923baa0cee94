// SPDX-License-Identifier: Apache-2.0
/**
 * Host files and directories opened without following symlinks, and checked as opened.
 *
 * A check on a path followed by an open of the same path is a race: the path can be
 * swapped for a symlink in between. So every open here uses `O_NOFOLLOW` (a symlink as the
 * last component fails), then checks the opened handle: its type by `fstat`, and its real
 * location by reading `/proc/self/fd/N`, which must be exactly the path expected (so no
 * symlink on the way was followed either). Names below a {@link HeldDir} resolve through
 * `/proc/self/fd/N/name`, in the directory that was opened and checked, not by path.
 * Without `/proc` (not Linux), the opened handle is compared with what its real path names
 * after the open (device and inode), and names resolve by real path: a swap is still never
 * followed silently, but a concurrent one can make an operation fail.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import {
  type FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode } from '../errors.js';
import { type HostPathCode, hostError, realInside, refusedPath } from './host-path.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** Check that `handle` (opened from `label`) is a `kind` whose real path is `real`. */
async function checkOpened(
  handle: FileHandle,
  label: string,
  real: string,
  kind: 'file' | 'directory',
  code: ErrorCode,
): Promise<string> {
  const st = await handle.stat();
  if (kind === 'file' ? !st.isFile() : !st.isDirectory()) {
    throw refusedPath(code, label, `is not a regular ${kind}`);
  }
  const fdPath = `/proc/self/fd/${handle.fd}`;
  const opened = await readlink(fdPath).catch(() => null);
  if (opened !== null) {
    // A file renamed over or removed since the open is still the one that was at `real`.
    if (opened !== real && opened !== `${real} (deleted)`) {
      throw refusedPath(code, label, `opened ${opened}, not ${real} (a symlink)`);
    }
    return fdPath;
  }
  const now = await lstat(real).catch(() => null);
  const same = now !== null && now.dev === st.dev && now.ino === st.ino;
  if (!same || (await realpath(real).catch(() => null)) !== real) {
    throw refusedPath(code, label, `is not ${real} (a symlink)`);
  }
  return real;
}

async function openChecked(
  path: string,
  flags: number,
  real: string,
  kind: 'file' | 'directory',
  code: ErrorCode,
  label: string,
  mode?: number,
): Promise<{ handle: FileHandle; via: string }> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags | O_NOFOLLOW, mode);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'ELOOP' || (errno === 'ENOTDIR' && kind === 'directory')) {
      const st = await lstat(path).catch(() => null);
      if (st?.isSymbolicLink()) throw refusedPath(code, label, 'is a symlink (not followed)');
    }
    throw hostError(err, label);
  }
  try {
    return { handle, via: await checkOpened(handle, label, real, kind, code) };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * A regular file opened for reading from `path`, which must really be `real` (no symlink
 * anywhere on the way). `O_NONBLOCK` keeps a FIFO swapped in from blocking the open.
 */
export async function openHostFile(
  path: string,
  real: string,
  code: ErrorCode,
  label = path,
): Promise<FileHandle> {
  const flags = O_RDONLY | O_NONBLOCK;
  return (await openChecked(path, flags, real, 'file', code, label)).handle;
}

/** The bytes of an open file, in chunks; closes it when done. */
export async function* readHandle(handle: FileHandle): AsyncIterable<Uint8Array> {
  try {
    const size = 64 * 1024;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(size), 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A host directory held open and checked; names below it resolve in it, not by path. */
export class HeldDir {
  private constructor(
    private readonly handle: FileHandle,
    /** The directory's real path. */
    readonly real: string,
    /** The path it is known by, for messages. */
    readonly label: string,
    private readonly via: string,
  ) {}

  /** Open the directory at `path`, which must really be `real`; refusals carry `code`. */
  static async open(path: string, real: string, code: ErrorCode, label = path): Promise<HeldDir> {
    const flags = O_RDONLY | O_DIRECTORY;
    const { handle, via } = await openChecked(path, flags, real, 'directory', code, label);
    return new HeldDir(handle, real, label, via);
  }

  /** How to name the entry `name` of this directory in a file-system call. */
  name(name: string): string {
    return `${this.via}/${name}`;
  }

  entries(): Promise<Dirent[]> {
    return readdir(this.via, { withFileTypes: true }).catch((err) => {
      throw hostError(err, this.label);
    });
  }

  /** The subdirectory `name` (never through a symlink), made first when `create`. */
  async subdir(name: string, code: ErrorCode, create = false): Promise<HeldDir> {
    const label = join(this.label, name);
    if (create) {
      await mkdir(this.name(name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw hostError(err, label);
      });
    }
    return HeldDir.open(this.name(name), join(this.real, name), code, label);
  }

  /** The regular file `name`, opened for reading, or null when there is none (or a symlink). */
  async readFile(name: string): Promise<FileHandle | null> {
    const real = join(this.real, name);
    return openHostFile(this.name(name), real, ErrorCode.IO).catch(() => null);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir never settles below a directory
 * that refuses new entries with ENOENT (`/proc`), so it is not used.
 */
async function makeDirs(dir: string): Promise<void> {
  const parent = dirname(dir);
  const made = await mkdir(dir).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return true;
      if (err.code !== 'ENOENT' || parent === dir) throw hostError(err, dir);
      return false;
    },
  );
  if (made) return;
  const before = await stat(parent).catch(() => null);
  if (before) throw hostError(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }), dir);
  await makeDirs(parent);
  await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw hostError(err, dir);
  });
}

/**
 * The host directory `dir` (inside `root`), made with its parents when missing, held open.
 * Symlinks on the way are followed only while they stay inside the root.
 */
export async function holdHostDir(root: string, dir: string, code: HostPathCode): Promise<HeldDir> {
  await realInside(root, dir, code);
  await makeDirs(dir);
  const real = (await realInside(root, dir, code)) ?? dir;
  return HeldDir.open(real, real, code, dir);
}

/** Hold `dirs` below `base` in turn (creating them when `create`); the caller closes the last. */
async function descend(
  base: HeldDir,
  dirs: readonly string[],
  code: ErrorCode,
  create: boolean,
): Promise<HeldDir> {
  let dir = base;
  for (const name of dirs) {
    const next = await dir.subdir(name, code, create).finally(async () => {
      if (dir !== base) await dir.close();
    });
    dir = next;
  }
  return dir;
}

async function sha256(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Write `content` at `rel` (names) below `base`. Directories are made one at a time and
 * never entered through a symlink; the bytes go to a new temporary (`O_EXCL|O_NOFOLLOW`)
 * renamed over the target, so a symlink there is replaced, never written through, and the
 * target is never torn. With `unlessSame`, a target holding the same bytes is left as it is.
 * Resolves to whether the file was written.
 */
export async function writeBelow(
  base: HeldDir,
  rel: readonly string[],
  content: AsyncIterable<Uint8Array>,
  options: { readonly code: ErrorCode; readonly unlessSame?: boolean },
): Promise<boolean> {
  const name = rel[rel.length - 1];
  if (name === undefined) throw refusedPath(options.code, base.label, 'names no file');
  const dir = await descend(base, rel.slice(0, -1), options.code, true);
  const tmp = `${name}.pond-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const label = join(dir.label, name);
  try {
    const flags = O_WRONLY | O_CREAT | O_EXCL;
    const real = join(dir.real, tmp);
    const { handle } = await openChecked(
      dir.name(tmp),
      flags,
      real,
      'file',
      options.code,
      label,
      0o666,
    );
    const hash = createHash('sha256');
    try {
      for await (const chunk of content) {
        hash.update(chunk);
        await handle.write(chunk);
      }
    } catch (err) {
      await unlink(dir.name(tmp)).catch(() => undefined);
      throw err;
    } finally {
      await handle.close();
    }
    if (options.unlessSame) {
      const old = await dir.readFile(name);
      if (old && (await sha256(readHandle(old))) === hash.digest('hex')) {
        await unlink(dir.name(tmp));
        return false;
      }
    }
    await rename(dir.name(tmp), dir.name(name)).catch(async (err) => {
      await unlink(dir.name(tmp)).catch(() => undefined);
      throw hostError(err, label);
    });
    return true;
  } finally {
    if (dir !== base) await dir.close();
  }
}

/**
 * Remove the regular files below `base` that `keep` (given their names from `base`) does
 * not keep, never descending through a symlink. Resolves to how many were removed.
 */
export async function pruneBelow(
  base: HeldDir,
  keep: (rel: readonly string[]) => boolean,
  code: ErrorCode,
): Promise<number> {
  let removed = 0;
  const walk = async (dir: HeldDir, rel: readonly string[]): Promise<void> => {
    for (const e of await dir.entries()) {
      const path = [...rel, e.name];
      if (e.isDirectory()) {
        const sub = await dir.subdir(e.name, code);
        await walk(sub, path).finally(() => sub.close());
      } else if (e.isFile() && !keep(path)) {
        await unlink(dir.name(e.name)).catch((err) => {
          throw hostError(err, join(dir.label, e.name));
        });
        removed++;
      }
    }
  };
  await walk(base, []);
  return removed;
}

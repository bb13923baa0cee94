// SPDX-License-Identifier: Apache-2.0
/**
 * The host side of `logfile-ingest`: the files the archived and active globs match, each
 * opened once (checked: `O_NOFOLLOW`, its real path read back) and its size taken at that
 * moment. Every later read of a run goes through that open handle, so a file renamed away
 * mid-run (logrotate) is still read as the file that was matched, and bytes appended after
 * the snapshot wait for the next run.
 *
 * The globs come from a stored config, so they are confined like any config's host path
 * (docs/trust-model.md): relative patterns lie under the host root, absolute ones must lie
 * inside it, and the walk never follows a symlink below the fixed part of the pattern.
 */

import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ErrorCode, PondError } from '../../errors.js';
import { expandHostGlob } from '../../query/host-glob.js';
import { fixedPrefix } from '../../tinyfs/glob.js';
import { openHostFile } from '../../tinyfs/host-dir.js';
import { hostConfigPath, realInside } from '../../tinyfs/host-path.js';

/** Whether a host file is a rotated (immutable) one or the live one. */
export type LogKind = 'archived' | 'active';

/** One matched host file, open for the whole run. */
export interface HostLog {
  /** The pond name: the host file's basename (the layout is flat, as in the original). */
  readonly name: string;
  readonly path: string;
  readonly kind: LogKind;
  /** Its size when it was opened; nothing past it is read in this run. */
  readonly size: number;
  readonly handle: FileHandle;
}

/** Host patterns of a logfile-ingest config. */
export interface LogPatterns {
  readonly archived_pattern: string;
  readonly active_pattern: string;
}

const CODE = ErrorCode.INVALID_CONFIG;

/** The regular files `pattern` (a config key's value) matches below `hostRoot`. */
async function matches(hostRoot: string, key: string, pattern: string): Promise<string[]> {
  let resolved: string;
  try {
    resolved = hostConfigPath(hostRoot, pattern, CODE);
    // Checked here with the config's code before the walk checks it again as an argument.
    await realInside(hostRoot, fixedPrefix(resolved), CODE);
  } catch (err) {
    if (!(err instanceof PondError) || err.code !== CODE) throw err;
    throw new PondError(
      CODE,
      `logfile-ingest: ${key}: ${err.message} (pond config set host.root DIR lets this pond's executable nodes read and write inside DIR)`,
      { path: err.path ?? pattern, cause: err },
    );
  }
  try {
    return (await expandHostGlob(resolved, hostRoot)).map((m) => m.path);
  } catch (err) {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) {
      throw new PondError(ErrorCode.NOT_FOUND, `logfile-ingest: ${key}: ${err.message}`, {
        path: err.path ?? resolved,
        cause: err,
      });
    }
    throw err;
  }
}

async function openLog(hostRoot: string, path: string, kind: LogKind): Promise<HostLog> {
  const real = (await realInside(hostRoot, path, CODE)) ?? path;
  const handle = await openHostFile(path, real, CODE);
  try {
    const { size } = await handle.stat();
    return { name: basename(path), path, kind, size, handle };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Close every handle (the end of a run, success or not). */
export async function closeLogs(logs: readonly HostLog[]): Promise<void> {
  await Promise.all(logs.map((l) => l.handle.close().catch(() => undefined)));
}

/**
 * Every matched host file, archived ones first (by path), then active ones, opened. A file
 * both patterns match is active. Two files with one basename are an error, since both would
 * be the same pond file.
 */
export async function openHostLogs(config: LogPatterns, hostRoot: string): Promise<HostLog[]> {
  const active = await matches(hostRoot, 'active_pattern', config.active_pattern);
  const activeSet = new Set(active);
  const archived = (await matches(hostRoot, 'archived_pattern', config.archived_pattern)).filter(
    (p) => !activeSet.has(p),
  );
  const byName = new Map<string, string>();
  for (const path of [...archived, ...active]) {
    const name = basename(path);
    const other = byName.get(name);
    if (other !== undefined) {
      throw new PondError(
        CODE,
        `logfile-ingest: ${other} and ${path} have the same name ${JSON.stringify(name)}; the pond directory is flat, so each host file needs its own name`,
        { path },
      );
    }
    byName.set(name, path);
  }
  const logs: HostLog[] = [];
  try {
    for (const path of archived) logs.push(await openLog(hostRoot, path, 'archived'));
    for (const path of active) logs.push(await openLog(hostRoot, path, 'active'));
  } catch (err) {
    await closeLogs(logs);
    throw err;
  }
  return logs;
}

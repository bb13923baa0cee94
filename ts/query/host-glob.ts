// SPDX-License-Identifier: Apache-2.0
/**
 * Glob expansion on the host filesystem, with the same pattern language as pond paths.
 * Matches stay inside the host root: the literal directories before the first wildcard may
 * be symlinks only while their real path stays inside it, and below that the walk never
 * follows a symlink. A pattern whose directory before the first wildcard is missing is
 * NOT_FOUND, never an empty match.
 */

import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, notFound } from '../errors.js';
import { compileGlob, type GlobTree, hasWildcard, walkGlob } from '../tinyfs/glob.js';
import { realInside } from '../tinyfs/host-path.js';

export interface HostMatch {
  readonly path: string;
  readonly captures: readonly string[];
}

/**
 * Regular files matching an absolute host pattern below `root` (the pattern already
 * resolved under it, e.g. by `hostUrlPath`), sorted by path.
 */
export async function expandHostGlob(pattern: string, root = '/'): Promise<HostMatch[]> {
  const code = ErrorCode.INVALID_ARGUMENT;
  if (!hasWildcard(pattern)) {
    await realInside(root, pattern, code);
    const st = await stat(pattern).catch(() => null);
    return st?.isFile() ? [{ path: pattern, captures: [] }] : [];
  }
  const glob = compileGlob(pattern);
  const segments = glob.segments;
  const first = segments.findIndex((s) => s.kind !== 'literal');
  const literals = segments.slice(0, first).map((s) => (s.kind === 'literal' ? s.name : ''));
  const prefix = join('/', ...literals);
  await realInside(root, prefix, code);
  const top = await stat(prefix).catch(() => null);
  if (!top?.isDirectory()) throw notFound(prefix, 'the fixed part of the pattern does not exist');
  const out: HostMatch[] = [];
  const start = { node: { dir: true, file: false }, path: prefix, from: first };
  for await (const m of walkGlob(hostTree, glob, start)) {
    if (m.node.file) out.push({ path: m.path, captures: m.captures });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** What the walk knows of a host entry; a symlink is neither, so the walk never follows one. */
interface HostEntry {
  readonly dir: boolean;
  readonly file: boolean;
}

const hostTree: GlobTree<HostEntry> = {
  isDirectory: (entry) => entry.dir,
  child: async (_entry, path, name) => {
    const st = await lstat(join(path, name)).catch(() => null);
    return st ? { dir: st.isDirectory(), file: st.isFile() } : null;
  },
  children: async (_entry, path) => {
    const list = await readdir(path, { withFileTypes: true }).catch(() => []);
    return list.map((d) => [d.name, { dir: d.isDirectory(), file: d.isFile() }] as const);
  },
};

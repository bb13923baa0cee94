// SPDX-License-Identifier: Apache-2.0
/**
 * Glob expansion on the host filesystem, with the same pattern language as pond paths.
 * Matches stay inside the host root: the literal directories before the first wildcard may
 * be symlinks only while their real path stays inside it, and below that the walk never
 * follows a symlink. A pattern whose directory before the first wildcard is missing is
 * NOT_FOUND, never an empty match.
 */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, notFound } from '../errors.js';
import { compileGlob, hasWildcard, matchSegment, type Segment } from '../tinyfs/glob.js';
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
  const segments = compileGlob(pattern).segments;
  const first = segments.findIndex((s) => s.kind !== 'literal');
  const literals = segments.slice(0, first).map((s) => (s.kind === 'literal' ? s.name : ''));
  const prefix = join('/', ...literals);
  await realInside(root, prefix, code);
  const top = await stat(prefix).catch(() => null);
  if (!top?.isDirectory()) throw notFound(prefix, 'the fixed part of the pattern does not exist');
  const out: HostMatch[] = [];
  await walk(prefix, segments, first, [], out);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

async function entries(dir: string): Promise<{ name: string; dir: boolean; file: boolean }[]> {
  const list = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return list.map((d) => ({ name: d.name, dir: d.isDirectory(), file: d.isFile() }));
}

async function walk(
  dir: string,
  segs: readonly Segment[],
  si: number,
  caps: readonly string[],
  out: HostMatch[],
): Promise<void> {
  const seg = segs[si];
  if (!seg) return;
  const last = si === segs.length - 1;
  if (seg.kind === 'globstar') {
    await star(dir, segs, si, caps, [], out);
    return;
  }
  for (const e of await entries(dir)) {
    const got = matchSegment(seg, e.name);
    if (!got) continue;
    const path = join(dir, e.name);
    if (last && e.file) out.push({ path, captures: [...caps, ...got] });
    else if (!last && e.dir) await walk(path, segs, si + 1, [...caps, ...got], out);
  }
}

async function star(
  dir: string,
  segs: readonly Segment[],
  si: number,
  caps: readonly string[],
  consumed: readonly string[],
  out: HostMatch[],
): Promise<void> {
  if (si === segs.length - 1) {
    for (const e of await entries(dir)) {
      const path = join(dir, e.name);
      const spanned = [...consumed, e.name];
      if (e.file) out.push({ path, captures: [...caps, spanned.join('/')] });
      else if (e.dir) await star(path, segs, si, caps, spanned, out);
    }
    return;
  }
  await walk(dir, segs, si + 1, [...caps, consumed.join('/')], out);
  for (const e of await entries(dir)) {
    if (e.dir) await star(join(dir, e.name), segs, si, caps, [...consumed, e.name], out);
  }
}

// SPDX-License-Identifier: Apache-2.0
/** Glob expansion on the host filesystem, with the same pattern language as pond paths. */

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compileGlob, hasWildcard, matchSegment, type Segment } from '../tinyfs/glob.js';

export interface HostMatch {
  readonly path: string;
  readonly captures: readonly string[];
}

/** Regular files matching an absolute host pattern, sorted by path. Symlinks are not followed. */
export async function expandHostGlob(pattern: string): Promise<HostMatch[]> {
  if (!hasWildcard(pattern)) {
    const st = await stat(pattern).catch(() => null);
    return st?.isFile() ? [{ path: pattern, captures: [] }] : [];
  }
  const out: HostMatch[] = [];
  await walk('/', compileGlob(pattern).segments, 0, [], out);
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

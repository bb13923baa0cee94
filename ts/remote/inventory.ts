// SPDX-License-Identifier: Apache-2.0
/**
 * The files of a pond directory as a backup sees them: every file of its two Delta tables
 * and its large content, by relative path, with size and BLAKE3. Large content is named by
 * its hash already; other files are hashed once and remembered by path, size and mtime in
 * the pond's cache, so an incremental push hashes only what is new.
 */

import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blake3File } from '../native/remote.js';
import { cacheDir } from '../tlogfs/layout.js';
import type { FileEntry } from './layout.js';

/** Files that are not part of a pond's state: the writer lock, temporaries. */
const SKIP = (name: string) => name === 'write.lock' || name.includes('.tmp-');
const LARGE = /^blake3=([0-9a-f]{64})$/;

interface Cached {
  readonly size: number;
  readonly mtimeMs: number;
  readonly blake3: string;
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    },
  );
  for (const e of entries) {
    if (SKIP(e.name)) continue;
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(root, path, out);
    else if (e.isFile()) out.push(path);
  }
}

/** Where the hashes of a pond's own files are remembered. */
export function pondHashCache(pond: string): string {
  return cacheDir(pond, 'remotes', 'hashes.json');
}

/** Where the hashes of a pull remote's replica (a pond directory in the cache) are. */
export function replicaHashCache(replica: string): string {
  return `${replica}.hashes.json`;
}

/** The one file of a Delta table that is rewritten in place: the checkpoint pointer. */
const MUTABLE = (path: string) => path.endsWith('/_last_checkpoint');

/**
 * Every file of the pond at `dir` (its `data/` and `control/` trees), hashed. Files of
 * `known` (the remote's tip) are taken as they are there without a stat: a pond writes each
 * file once under a new name, so only new names (and the checkpoint pointer) are looked at.
 */
export async function inventory(
  dir: string,
  hashCache: string,
  known: ReadonlyMap<string, FileEntry> = new Map(),
): Promise<Map<string, FileEntry>> {
  const paths: string[] = [];
  for (const top of ['data', 'control']) await walk(dir, top, paths);
  const cache: Record<string, Cached> = JSON.parse(
    await readFile(hashCache, 'utf8').catch(() => '{}'),
  );
  const next: Record<string, Cached> = {};
  const out = new Map<string, FileEntry>();
  for (const path of paths.sort()) {
    const same = known.get(path);
    if (same && !MUTABLE(path)) {
      out.set(path, same);
      continue;
    }
    const st = await stat(join(dir, path));
    const large = LARGE.exec(path.slice(path.lastIndexOf('/') + 1));
    let blake3: string;
    if (large) blake3 = large[1] as string;
    else {
      const hit = cache[path];
      blake3 =
        hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs
          ? hit.blake3
          : await blake3File(join(dir, path));
      next[path] = { size: st.size, mtimeMs: st.mtimeMs, blake3 };
    }
    out.set(path, { blake3, size: st.size });
  }
  // Entries of files taken from `known` stay cached for a later inventory without it.
  for (const [path, hit] of Object.entries(cache)) {
    if (!(path in next) && known.has(path) && out.has(path)) next[path] = hit;
  }
  const text = JSON.stringify(next);
  if (text !== JSON.stringify(cache)) {
    await mkdir(dirname(hashCache), { recursive: true });
    const tmp = `${hashCache}.tmp-${process.pid}`;
    await writeFile(tmp, text);
    await rename(tmp, hashCache);
  }
  return out;
}

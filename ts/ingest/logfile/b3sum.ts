// SPDX-License-Identifier: Apache-2.0
/**
 * `logfile-ingest ... b3sum`: one line per log in `pond_path`, sorted by name,
 * `<BLAKE3 hex of all its bytes>  <name>`, the format `b3sum` prints and `b3sum --check`
 * reads. A single-version file's hash is the one its row records; a file of several
 * versions is streamed (never held whole) through a temporary file that the addon hashes.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake3File } from '../../native/remote.js';
import type { FilePath, WD } from '../../tinyfs/fs.js';
import { pondLogs } from './pond-logs.js';

async function* allVersions(np: FilePath): AsyncIterable<Uint8Array> {
  for (const v of await np.node.file.versions()) yield* np.node.file.read(v.version);
}

async function blake3Of(np: FilePath, scratch: () => Promise<string>): Promise<string> {
  const versions = await np.node.file.versions();
  const only = versions.length === 1 ? versions[0] : undefined;
  if (only?.blake3) return only.blake3;
  const file = join(await scratch(), 'content');
  await pipeline(Readable.from(allVersions(np)), createWriteStream(file));
  try {
    return await blake3File(file);
  } finally {
    await rm(file, { force: true });
  }
}

/** The `b3sum` lines of every log in `pondPath`. */
export async function b3sumLines(root: WD, pondPath: string): Promise<string> {
  const { logs } = await pondLogs(root, pondPath);
  let dir: string | null = null;
  const base = root.fs.persistence.cacheDir ?? tmpdir();
  const scratch = async () => {
    if (dir === null) {
      await mkdir(base, { recursive: true });
      dir = await mkdtemp(join(base, 'b3sum-'));
    }
    return dir;
  };
  try {
    const lines: string[] = [];
    for (const name of [...logs.keys()].sort()) {
      const log = logs.get(name);
      if (log) lines.push(`${await blake3Of(log.np, scratch)}  ${name}\n`);
    }
    return lines.join('');
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

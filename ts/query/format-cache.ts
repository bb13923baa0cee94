// SPDX-License-Identifier: Apache-2.0
/**
 * The parsed-format cache (`$POND/cache/formats/`): a pond file read as csv or jsonl is
 * parsed once into Parquet. An entry's key names the node version, its content hash and
 * the parse options, so a new version or other options never meet an old entry; the file
 * is `<key>-<size>-<sha256 of its bytes>.parquet`. The cache is derived and deletable, so
 * never trusted: before a query uses an entry its size and hash are checked against its
 * name, and an entry that fails is removed and rebuilt.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { query } from '../native/engine.js';
import type { TableSpec } from './spec.js';

type FormatSpec = Extract<TableSpec, { kind: 'format' }>;

const ENTRY = /-(\d+)-([0-9a-f]{32})\.parquet$/;

/** Size and hash of a file, streamed; null when it cannot be read. */
async function measure(path: string): Promise<{ size: number; hash: string } | null> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch {
    return null;
  }
  return { size, hash: hash.digest('hex').slice(0, 32) };
}

/** A whole entry of `key`, removing those that fail their size or hash. */
async function validEntry(dir: string, key: string): Promise<string | null> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.startsWith(`${key}-`) && ENTRY.test(n.slice(key.length)),
  );
  for (const name of names) {
    const [, size, hash] = ENTRY.exec(name.slice(key.length)) as RegExpExecArray;
    const path = join(dir, name);
    const actual = await measure(path);
    if (actual && actual.size === Number(size) && actual.hash === hash) return path;
    await rm(path, { force: true });
  }
  return null;
}

/** Parse the source into a new entry, streamed to disk while hashed. */
async function build(spec: FormatSpec, dir: string, key: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${key}.tmp-${process.pid}-${randomUUID()}`);
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      (async function* () {
        for await (const chunk of query(
          'SELECT * FROM source',
          { source: spec },
          { format: 'parquet' },
        )) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      })(),
      createWriteStream(tmp),
    );
    const path = join(dir, `${key}-${size}-${hash.digest('hex').slice(0, 32)}.parquet`);
    await rename(tmp, path);
    return path;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A Parquet spec of the cached parse of `spec` under `dir` (built if missing or bad). An
 * entry's path never changes content, so the engine's footer cache stays right.
 */
export async function cachedFormat(spec: FormatSpec, dir: string, key: string): Promise<TableSpec> {
  const path = (await validEntry(dir, key)) ?? (await build(spec, dir, key));
  return { kind: 'parquet', label: spec.label, files: [{ path }], timeColumn: null };
}

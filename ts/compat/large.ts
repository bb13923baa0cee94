// SPDX-License-Identifier: Apache-2.0
/**
 * Large files of the original DuckPond (REFERENCE-ORIGINAL §6.4): content of 64 KiB and
 * more is a Parquet file of 16 MiB chunks, `_large_files/blake3=<h>.parquet`, or
 * `_large_files/blake3_16=<first 4 hex>/blake3=<h>.parquet` once there were many. pond
 * reads content as raw bytes (and queries range-read Parquet versions in place), so each
 * one is de-chunked once into a raw copy outside the original pond, named by its BLAKE3
 * and checked against it before it is used.
 */

import { randomUUID } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { binaryColumn, int64Column } from '../native/ipc.js';
import { blake3File } from '../native/remote.js';
import { parquetFiles, queryTables } from './sql.js';

/** The original's chunk size; every chunk but the last has exactly this many bytes. */
export const CHUNK_SIZE = 16 * 1024 * 1024;

const LARGE_DIR = '_large_files';

function corrupt(name: string, what: string): PondError {
  return new PondError(ErrorCode.CORRUPT, `large file ${name} ${what}`, { path: name });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Where the chunked file of `blake3` is under the original's `data/`: the hierarchical
 * path first, then the flat one, as the original reads them. */
export async function chunkedPath(dataDir: string, blake3: string): Promise<string> {
  const name = `blake3=${blake3}.parquet`;
  const candidates = [
    join(dataDir, LARGE_DIR, `blake3_16=${blake3.slice(0, 4)}`, name),
    join(dataDir, LARGE_DIR, name),
  ];
  for (const path of candidates) if (await exists(path)) return path;
  throw corrupt(`${LARGE_DIR}/${name}`, 'is missing (neither flat nor under blake3_16=)');
}

/**
 * Write the bytes of the chunked file for `blake3` to `dest` (atomically), checking the
 * chunk sequence, the total size and the BLAKE3 of the result.
 */
export async function dechunk(dataDir: string, blake3: string, dest: string): Promise<void> {
  const source = await chunkedPath(dataDir, blake3);
  const name = source.slice(source.indexOf(LARGE_DIR));
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}-${randomUUID()}`;
  const lengths = new Map<number, number>();
  let total: number | null = null;
  const handle = await open(tmp, 'w');
  try {
    // No ORDER BY: each chunk is written at its own offset, so only one batch is in memory.
    const tables = queryTables('SELECT chunk_id, chunk_data, total_size FROM chunks', {
      chunks: parquetFiles(name, [source]),
    });
    for (const t of await tables) {
      const ids = int64Column(t, 'chunk_id');
      const data = binaryColumn(t, 'chunk_data');
      const totals = int64Column(t, 'total_size');
      for (let i = 0; i < t.numRows; i++) {
        const id = ids[i] as number;
        const bytes = data[i] ?? new Uint8Array();
        if (lengths.has(id)) throw corrupt(name, `has chunk ${id} twice`);
        lengths.set(id, bytes.length);
        total = totals[i] ?? total;
        await handle.write(bytes, 0, bytes.length, id * CHUNK_SIZE);
      }
    }
    await handle.close();
    checkChunks(name, lengths, total);
    const actual = await blake3File(tmp);
    if (actual !== blake3) throw corrupt(name, `holds bytes whose BLAKE3 is ${actual}`);
    await rename(tmp, dest);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

function checkChunks(name: string, lengths: Map<number, number>, total: number | null): void {
  const count = lengths.size;
  let sum = 0;
  for (let id = 0; id < count; id++) {
    const length = lengths.get(id);
    if (length === undefined) throw corrupt(name, `lacks chunk ${id} of ${count}`);
    if (id < count - 1 && length !== CHUNK_SIZE) {
      throw corrupt(name, `has chunk ${id} of ${length} bytes, not ${CHUNK_SIZE}`);
    }
    sum += length;
  }
  if (total !== null && sum !== total) {
    throw corrupt(name, `holds ${sum} bytes, its total_size says ${total}`);
  }
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Prefix hashing for `logfile-ingest`: what the pond holds of a log is identified by its
 * size N and the SHA-256 of its N bytes (the "prefix hash"). A host file continues that
 * pond file when its first N bytes hash to the same value. Host bytes are read through an
 * open handle in 1 MiB chunks, so a log of any size is never held in memory; a range that
 * ends early (the file was truncated while being read) is an error, never a short version.
 *
 * SHA-256 (OpenSSL, hardware-accelerated) rather than BLAKE3 because Node's hash objects can
 * be copied mid-stream: one pass over a grown file checks its first N bytes and goes on to
 * the hash of all of them. The BLAKE3 of every version is still what the store records.
 */

import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { ErrorCode, PondError } from '../../errors.js';

/** Bytes per read. */
export const CHUNK_BYTES = 1024 * 1024;

/** A fresh prefix hasher. */
export function prefixHasher(): Hash {
  return createHash('sha256');
}

/**
 * Bytes `[start, end)` of an open file, in chunks of at most {@link CHUNK_BYTES}. Fewer
 * bytes than that (the file shrank) is INVALID_DATA naming `label`.
 */
export async function* readRange(
  handle: FileHandle,
  start: number,
  end: number,
  label: string,
): AsyncIterable<Uint8Array> {
  let at = start;
  while (at < end) {
    const want = Math.min(CHUNK_BYTES, end - at);
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, at);
    if (bytesRead === 0) {
      throw new PondError(
        ErrorCode.INVALID_DATA,
        `logfile-ingest: ${label} shrank to ${at} bytes while being read (expected ${end}); truncated during the run? nothing was ingested`,
        { path: label },
      );
    }
    at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** `hash` updated with bytes `[start, end)` of an open file; returns it. */
export async function hashRange(
  handle: FileHandle,
  start: number,
  end: number,
  label: string,
  hash: Hash = prefixHasher(),
): Promise<Hash> {
  for await (const chunk of readRange(handle, start, end, label)) hash.update(chunk);
  return hash;
}

/** The hex digest of a copy of `hash` (which stays usable). */
export function digestOf(hash: Hash): string {
  return hash.copy().digest('hex');
}

/** `chunks` passed through, each also fed to `hash`; `done` runs after the last one. */
export async function* hashing(
  chunks: AsyncIterable<Uint8Array>,
  hash: Hash,
  done: () => void,
): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
  done();
}

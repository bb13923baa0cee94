// SPDX-License-Identifier: Apache-2.0
/**
 * Writing a command's data to stdout. A reader that stops early (`pond sql ... | head`)
 * closes the pipe: the write that finds it closed throws {@link OutputClosed}, which stops
 * the command (and so the query it is pulling batches from), and `run` exits 0.
 */

import type { Writable } from 'node:stream';
import { ErrorCode, PondError } from '../errors.js';

/** stdout was closed by its reader; not a failure. */
export class OutputClosed extends Error {
  constructor() {
    super('stdout closed');
    this.name = 'OutputClosed';
  }
}

const closed = new WeakSet<Writable>();
/** A stream's write error other than its reader leaving (a full disk, EIO). */
const failed = new WeakMap<Writable, unknown>();

/** Errors that mean the reader went away. */
function isClosedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}

/**
 * Watch `stream` for its reader going away, so that an EPIPE is remembered instead of
 * crashing the process as an unhandled 'error' event.
 */
export function watchOutput(stream: Writable): void {
  stream.on('error', (err) => {
    if (isClosedError(err)) closed.add(stream);
    else if (!failed.has(stream)) failed.set(stream, err);
  });
  stream.on('close', () => closed.add(stream));
}

/** Whether the reader has gone; throws the stream's own write error if it had one. */
export function isOutputClosed(stream: Writable): boolean {
  const err = failed.get(stream);
  if (err !== undefined) {
    const message = err instanceof Error ? err.message : String(err);
    throw new PondError(ErrorCode.IO, `writing output: ${message}`, { cause: err });
  }
  return closed.has(stream) || stream.destroyed || stream.writableEnded;
}

/** Write one chunk, waiting for the stream to drain when it asks; throws once it is closed. */
export async function write(stream: Writable, chunk: Uint8Array | string): Promise<void> {
  if (isOutputClosed(stream)) throw new OutputClosed();
  if (stream.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  if (isOutputClosed(stream)) throw new OutputClosed();
}

/** Write every chunk in order; stops pulling from `chunks` as soon as stdout is closed. */
export async function writeAll(
  stream: Writable,
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): Promise<void> {
  for await (const chunk of chunks) await write(stream, chunk);
}

/** One JSON object per line (`--format json`): field names are the caller's contract. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

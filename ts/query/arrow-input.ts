// SPDX-License-Identifier: Apache-2.0
/**
 * A caller's own apache-arrow data written as a table or series version: a `Table`, a
 * `RecordBatch`, or an async iterable of batches. The batches go to a temporary Arrow IPC
 * file once, and the engine turns that into the Parquet that pond stores, so the types a
 * caller built (timestamps with their unit and zone, dictionaries, nulls) arrive as built.
 */

import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RecordBatch, RecordBatchFileWriter, Table } from 'apache-arrow';
import { invalidArgument } from '../errors.js';
import { query } from '../native/engine.js';

/** Bytes, text, or a stream of byte chunks: raw content, or Parquet for tables. */
export type ByteData = Uint8Array | string | AsyncIterable<Uint8Array>;
/** apache-arrow data: always a table or series version. */
export type ArrowData = Table | RecordBatch | AsyncIterable<RecordBatch>;

export type Classified =
  | { readonly kind: 'bytes'; readonly data: ByteData }
  | { readonly kind: 'arrow'; readonly batches: AsyncIterable<RecordBatch> };

/** An Arrow object from another copy of apache-arrow fails `instanceof`; say so. */
function looksLikeArrow(value: unknown): boolean {
  const name = (value as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name === 'Table' || name === 'RecordBatch' || name === '_Table';
}

function refuse(value: unknown, path: string): never {
  if (looksLikeArrow(value)) {
    throw invalidArgument(
      `${path}: this Arrow ${(value as object).constructor.name} comes from another copy of ` +
        'apache-arrow than the one pond uses; install one version (apache-arrow is a peer ' +
        'dependency of duckpond)',
      path,
    );
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw invalidArgument(
    `${path}: cannot write ${what}; write a string, a Uint8Array, an async iterable of ` +
      'Uint8Array, or an apache-arrow Table, RecordBatch or async iterable of RecordBatch',
    path,
  );
}

async function* single(batches: readonly RecordBatch[]): AsyncIterable<RecordBatch> {
  yield* batches;
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncIterable<T> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* checkedBatches(
  batches: AsyncIterable<unknown>,
  path: string,
): AsyncIterable<RecordBatch> {
  for await (const batch of batches) {
    if (!(batch instanceof RecordBatch)) refuse(batch, path);
    yield batch;
  }
}

/**
 * Tell raw bytes from Arrow data. An async iterable is peeked at: its first item decides,
 * and every later item must be of the same kind.
 */
export async function classify(data: unknown, path: string): Promise<Classified> {
  if (typeof data === 'string' || data instanceof Uint8Array) return { kind: 'bytes', data };
  if (data instanceof Table) return { kind: 'arrow', batches: single(data.batches) };
  if (data instanceof RecordBatch) return { kind: 'arrow', batches: single([data]) };
  const iterable = data as AsyncIterable<unknown> | null;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') refuse(data, path);
  const it = iterable[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return { kind: 'bytes', data: single([]) as AsyncIterable<never> };
  const all = prepend(first.value, it);
  if (first.value instanceof RecordBatch) {
    return { kind: 'arrow', batches: checkedBatches(all, path) };
  }
  if (!(first.value instanceof Uint8Array)) refuse(first.value, path);
  return { kind: 'bytes', data: bytesOnly(all, path) };
}

async function* bytesOnly(chunks: AsyncIterable<unknown>, path: string): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) refuse(chunk, path);
    yield chunk;
  }
}

/** Write `batches` to `arrowFile` (Arrow IPC file format), then convert it to Parquet. */
export async function arrowToParquet(
  batches: AsyncIterable<RecordBatch>,
  arrowFile: string,
  parquetFile: string,
  path: string,
): Promise<void> {
  const writer = new RecordBatchFileWriter();
  // The writer is an async iterable of bytes. Not `toNodeStream()`: apache-arrow installs
  // that adapter as a side effect of its node entry point, which bundlers drop.
  const written = pipeline(Readable.from(writer), createWriteStream(arrowFile));
  let schema: string | null = null;
  try {
    for await (const batch of batches) {
      const fields = batch.schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ');
      if (schema !== null && fields !== schema) {
        throw invalidArgument(
          `${path}: batches disagree on schema ({${schema}} then {${fields}})`,
          path,
        );
      }
      schema = fields;
      writer.write(batch);
    }
  } finally {
    writer.finish();
    await written;
  }
  if (schema === null) throw invalidArgument(`${path}: no record batches to write`, path);
  const specs = {
    input: { kind: 'format' as const, label: path, format: 'arrow', files: [{ path: arrowFile }] },
  };
  await pipeline(
    query('SELECT * FROM input', specs, { format: 'parquet' }),
    createWriteStream(parquetFile),
  );
}

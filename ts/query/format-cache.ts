// SPDX-License-Identifier: Apache-2.0
/**
 * The parsed-format cache (`$POND/cache/formats/`): a pond file read through a format
 * (csv, jsonl, oteljson, jsonlogs, weblog, excelhtml) is parsed once into Parquet. An
 * entry's key names the node version (or, for a format that reads a raw series' versions
 * as one stream, every version read), its content hash and the parse options, so a new
 * version or other options never meet an old entry; the file is
 * `<key>-<size>-<sha256>.parquet`. What the parse skipped (its warnings) is kept beside it
 * in `<same name>.warnings.json` and covered by the same hash, so the warnings are reported
 * again on every read of the entry. The cache is derived and deletable, so never trusted:
 * before a query uses an entry its size and hash are checked against its name, and an
 * entry that fails is removed and rebuilt.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { query } from '../native/engine.js';
import type { TableSpec } from './spec.js';

type FormatSpec = Extract<TableSpec, { kind: 'format' }>;

const ENTRY = /-(\d+)-([0-9a-f]{32})\.parquet$/;

const WARNINGS = '.warnings.json';

/** Rows per row group of an entry: small enough that a time filter over a log parsed in
 * time order skips most of it by statistics, large enough to cost little. */
const ROW_GROUP_ROWS = 32768;

/** The text a warnings file holds: a JSON list of strings. */
function warningsText(warnings: readonly string[]): string {
  return JSON.stringify(warnings);
}

/** The hash that names an entry: its Parquet bytes, then its warnings file if any. */
function entryHash(hash: ReturnType<typeof createHash>, warnings: string | null): string {
  if (warnings !== null) hash.update(`\0${warnings}`);
  return hash.digest('hex').slice(0, 32);
}

/** An entry's size, hash and warnings, streamed; null when it cannot be read. */
async function measure(
  path: string,
): Promise<{ size: number; hash: string; warnings: string[] } | null> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const text = await readFile(`${path}${WARNINGS}`, 'utf8').catch(() => null);
    const warnings: unknown = text === null ? [] : JSON.parse(text);
    if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === 'string')) return null;
    return { size, hash: entryHash(hash, text), warnings };
  } catch {
    return null;
  }
}

/** A whole entry of `key` and its warnings, removing those that fail their size or hash. */
async function validEntry(
  dir: string,
  key: string,
): Promise<{ path: string; warnings: string[] } | null> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.startsWith(`${key}-`) && ENTRY.test(n.slice(key.length)),
  );
  for (const name of names) {
    const [, size, hash] = ENTRY.exec(name.slice(key.length)) as RegExpExecArray;
    const path = join(dir, name);
    const actual = await measure(path);
    if (actual && actual.size === Number(size) && actual.hash === hash) {
      return { path, warnings: actual.warnings };
    }
    await rm(path, { force: true });
    await rm(`${path}${WARNINGS}`, { force: true });
  }
  return null;
}

/** Parse the source into a new entry, streamed to disk while hashed. */
async function build(
  spec: FormatSpec,
  dir: string,
  key: string,
): Promise<{ path: string; warnings: string[] }> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${key}.tmp-${process.pid}-${randomUUID()}`);
  const hash = createHash('sha256');
  const warnings: string[] = [];
  let size = 0;
  try {
    await pipeline(
      (async function* () {
        for await (const chunk of query(
          'SELECT * FROM source',
          { source: spec },
          { format: 'parquet', rowGroupRows: ROW_GROUP_ROWS, onWarning: (w) => warnings.push(w) },
        )) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      })(),
      createWriteStream(tmp),
    );
    const text = warnings.length > 0 ? warningsText(warnings) : null;
    const path = join(dir, `${key}-${size}-${entryHash(hash, text)}.parquet`);
    // The warnings first: an entry is never seen without the file its name covers.
    if (text !== null) await writeFile(`${path}${WARNINGS}`, text);
    await rename(tmp, path);
    return { path, warnings };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A Parquet spec of the cached parse of `spec` under `dir` (built if missing or bad), with
 * the parse's warnings and the format's time column. An entry's path never changes
 * content, so the engine's footer cache stays right.
 */
export async function cachedFormat(
  spec: FormatSpec,
  dir: string,
  key: string,
  timeColumn: string | null = null,
): Promise<TableSpec> {
  const entry = (await validEntry(dir, key)) ?? (await build(spec, dir, key));
  return {
    kind: 'parquet',
    label: spec.label,
    files: [{ path: entry.path }],
    timeColumn,
    ...(entry.warnings.length > 0 ? { warnings: entry.warnings } : {}),
  };
}

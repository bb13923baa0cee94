// SPDX-License-Identifier: Apache-2.0
/**
 * `csvdir` (seeds): a directory presenting each CSV matched by `source` as a queryable table
 * named after the file (without `.csv`, and without the compression's extension for a
 * compressed URL). `source` is a pond glob or a `csv:///` URL (compression and options
 * included: `csv+gzip:///in/*.csv.gz?delimiter=;`); `has_header`, `delimiter` and `quote`
 * set the same options. A table parses on first read into a Parquet cache under
 * `$POND/cache/formats/`, keyed by the CSV's node, version, hash and options, so a new
 * version of the CSV is parsed again and an unchanged one never is. With `schema` the CSV is
 * parsed as text and the listed columns cast to their types (`csv-schema.ts`).
 */

import { specForMatchedNode } from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import type { PondUrl } from '../query/url.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { NodePath } from '../tinyfs/fs.js';
import type { Node } from '../tinyfs/node.js';
import { childRef } from '../tinyfs/node-id.js';
import { bool, ConfigError, type Infer, obj, type Schema, schemaOf } from './config.js';
import { csvSchema, typedSelect } from './csv-schema.js';
import { ComputedDirectory, computedTable } from './dynamic.js';
import { CSV_INPUT, pattern, patternOf, pondMatches } from './patterns.js';
import { defineFactory, type FactoryContext } from './registry.js';
import { columnsOf } from './transforms.js';

/** One CSV character: a one-character string, or its byte code (the original's `44`). */
const csvChar: Schema<string> = schemaOf((v, path, origin) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 127) {
    return String.fromCharCode(v);
  }
  if (typeof v === 'string' && (v === '\\t' || v === 'tab')) return '\t';
  if (typeof v === 'string' && v.length === 1 && v.charCodeAt(0) < 128) return v;
  throw new ConfigError(
    `${path}: expected one character such as "," or its ASCII code such as 44, got ${origin ? 'a value from the environment' : JSON.stringify(v)}`,
  );
});

/** A key the original has and pond refuses, with the reason. */
function unsupported(reason: string): Schema<never> {
  return schemaOf((_v, path) => {
    throw new ConfigError(`${path}: not supported: ${reason}`);
  });
}

const config = obj(
  { source: pattern(CSV_INPUT) },
  {
    schema: csvSchema,
    has_header: bool,
    delimiter: csvChar,
    quote: csvChar,
    cache_timeout_seconds: unsupported(
      "pond caches a parsed CSV by the file's content and the options, so it never goes stale; remove the key",
    ),
  },
);
type Config = Infer<typeof config>;

const EXTENSIONS: Readonly<Record<string, RegExp>> = {
  gzip: /\.(gz|gzip)$/i,
  zstd: /\.(zst|zstd)$/i,
  bzip2: /\.(bz2|bzip2)$/i,
};

/**
 * The csv URL every match is read through: `source`'s own compression and options (for a
 * `csv:///` source) with `has_header`, `delimiter` and `quote`; a key given both ways is an
 * error. With a schema the CSV is read as text (no type inference).
 */
export function csvUrl(c: Config): PondUrl {
  const source = patternOf(c.source);
  const base = source.format === 'csv' ? source.url : null;
  const options: Record<string, string> = { ...base?.options };
  const keys: Array<[string, string | undefined]> = [
    ['has_header', c.has_header === undefined ? undefined : String(c.has_header)],
    ['delimiter', c.delimiter],
    ['quote', c.quote],
  ];
  for (const [key, value] of keys) {
    if (value === undefined) continue;
    if (key in options) {
      throw new ConfigError(`${key}: given both as a key and as ?${key}= in source; give it once`);
    }
    options[key] = value;
  }
  if (c.schema) {
    if ('schema_infer_max_records' in options) {
      throw new ConfigError(
        'source: ?schema_infer_max_records does not apply with a schema (the CSV is read as text, then cast)',
      );
    }
    options.schema_infer_max_records = '0';
  }
  return {
    host: false,
    format: 'csv',
    compression: base?.compression ?? null,
    cast: null,
    path: source.glob,
    options,
  };
}

/** The table name of a matched CSV: its file name without `.csv` (and compression). */
export function tableName(path: string, url: PondUrl): string {
  let name = path.slice(path.lastIndexOf('/') + 1);
  const compressed = url.compression ? EXTENSIONS[url.compression] : undefined;
  if (compressed) name = name.replace(compressed, '');
  return name.replace(/\.csv$/i, '') || name;
}

async function tableSpec(
  c: Config,
  url: PondUrl,
  np: NodePath,
  ctx: FactoryContext,
  label: string,
  visiting: readonly string[],
): Promise<TableSpec> {
  const parsed = await specForMatchedNode(url, `csv://${np.path}`, np, { ...ctx.plan, visiting });
  if (!c.schema) return parsed;
  const hasHeader = url.options.has_header !== 'false' && url.options.has_header !== '0';
  const sql = typedSelect(c.schema, await columnsOf(parsed), hasHeader, label);
  return { kind: 'view', label, sql, tables: { input: parsed } };
}

export const csvdir = defineFactory({
  name: 'csvdir',
  description:
    'each CSV matched by a pond glob or csv URL as a queryable table, parsed on first read and cached',
  config,
  check(c) {
    csvUrl(c);
  },
  async open(c, ctx) {
    const url = csvUrl(c);
    return new ComputedDirectory(ctx.path, async () => {
      const out: Array<[string, Node]> = [];
      const seen = new Map<string, string>();
      for await (const { np } of pondMatches(patternOf(c.source), ctx.root)) {
        if (np.node.kind !== 'file') continue;
        const name = tableName(np.path, url);
        const other = seen.get(name);
        if (other) {
          throw new ConfigError(
            `${ctx.path}: ${other} and ${np.path} would both be the table ${JSON.stringify(name)}`,
          );
        }
        seen.set(name, np.path);
        const ref = childRef(ctx.ref, EntryType.TableDynamic, np.node.ref.id);
        const versions = await np.node.file.versions();
        const childPath = `${ctx.path}/${name}`;
        out.push([
          name,
          computedTable(ref, { ...ctx, path: childPath }, versions.slice(-1), (visiting) =>
            tableSpec(c, url, np, ctx, childPath, visiting),
          ),
        ]);
      }
      return out;
    });
  },
});

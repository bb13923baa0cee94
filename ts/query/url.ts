// SPDX-License-Identifier: Apache-2.0
/**
 * The URL grammar shared by the CLI, SQL table references and factory configs:
 * `[host+]<format>[+<compression>][+<entrytype>]:///<path-or-glob>[?options]`.
 * `host:///p` alone means raw host bytes (format `file`). Parsing is pure. The path is
 * %-decoded here, so `%2e%2e` and `%2f` are `..` and `/` to every later check. A `?` starts
 * the options only when `key=value[&key=value]` follows it; otherwise it is the one-character
 * wildcard, and `%3F` is a literal `?` (decoded to the class `[?]`, which matches only `?`).
 */

import { invalidArgument } from '../errors.js';

export const BUILTIN_FORMATS = ['file', 'data', 'table', 'series'] as const;

/** What a parsed format reads: its `?key=value` options, and whether a pond file's
 * versions are read as one stream (so a line split across two versions parses). */
export interface ParsedFormatInfo {
  readonly options: readonly string[];
  readonly concatenated: boolean;
}

const CSV_OPTIONS = [
  'delimiter',
  'has_header',
  'quote',
  'escape',
  'batch_size',
  'schema_infer_max_records',
] as const;
const STREAMED: ParsedFormatInfo = { options: ['strict'], concatenated: true };

/**
 * The formats that parse raw bytes (docs/queries.md#formats), the twin of the addon's
 * `FORMATS` table (`native/src/query/formats/mod.rs`; a test holds them equal). The URL
 * grammar, the planner and the pattern fields of factory configs all read this one table.
 */
export const PARSED_FORMAT_TABLE = {
  csv: { options: CSV_OPTIONS, concatenated: false },
  jsonl: { options: ['schema_infer_max_records'], concatenated: false },
  oteljson: STREAMED,
  jsonlogs: STREAMED,
  weblog: STREAMED,
  excelhtml: STREAMED,
} as const satisfies Record<string, ParsedFormatInfo>;

export type ParsedFormat = keyof typeof PARSED_FORMAT_TABLE;
export const PARSED_FORMATS = Object.keys(PARSED_FORMAT_TABLE) as readonly ParsedFormat[];

/** Whether `format` is one that parses raw bytes (csv, jsonl, oteljson...). */
export function isParsedFormat(format: string): format is ParsedFormat {
  return Object.hasOwn(PARSED_FORMAT_TABLE, format);
}
export const COMPRESSIONS = ['gzip', 'zstd', 'bzip2'] as const;
export const CASTS = ['table', 'series'] as const;

export type Compression = (typeof COMPRESSIONS)[number];

export interface PondUrl {
  /** True for `host+...`: the path is on the host filesystem. */
  readonly host: boolean;
  readonly format: string;
  readonly compression: Compression | null;
  /** An entry-type cast (`+table`, `+series`) applied to a parsed format. */
  readonly cast: 'table' | 'series' | null;
  /** The path or glob, always absolute. */
  readonly path: string;
  readonly options: Readonly<Record<string, string>>;
}

const SCHEME = /^([a-z][a-z0-9+]*):\/\/(.*)$/s;

/** Whether a string is written as a URL (has a `scheme://`). */
export function isUrl(text: string): boolean {
  return SCHEME.test(text);
}

export function parseUrl(text: string): PondUrl {
  const m = SCHEME.exec(text);
  if (!m) throw invalidArgument(`not a URL: ${JSON.stringify(text)} (expected scheme:///path)`);
  const scheme = m[1] as string;
  const rest = m[2] as string;
  if (!rest.startsWith('/')) {
    throw invalidArgument(
      `${JSON.stringify(text)}: the authority must be empty (write ${scheme}:///path, three slashes)`,
    );
  }
  const parts = scheme.split('+');
  const host = parts[0] === 'host';
  if (host) parts.shift();
  const format = parts.shift() ?? (host ? 'file' : '');
  const known = [...BUILTIN_FORMATS, ...PARSED_FORMATS] as readonly string[];
  if (!known.includes(format)) {
    throw invalidArgument(
      `${JSON.stringify(text)}: unknown scheme format ${JSON.stringify(format)} (known: ${known.join(', ')})`,
    );
  }
  let compression: Compression | null = null;
  let cast: 'table' | 'series' | null = null;
  for (const part of parts) {
    if ((COMPRESSIONS as readonly string[]).includes(part) && !compression && !cast) {
      compression = part as Compression;
    } else if ((CASTS as readonly string[]).includes(part) && !cast) {
      cast = part as 'table' | 'series';
    } else {
      throw invalidArgument(
        `${JSON.stringify(text)}: unexpected scheme part ${JSON.stringify(part)}`,
      );
    }
  }
  const q = optionsStart(rest);
  const path = q < 0 ? rest : rest.slice(0, q);
  const options: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) options[k] = v;
  }
  let decoded: string;
  try {
    decoded = path.split(/%3f/i).map(decodeURIComponent).join('[?]');
  } catch {
    throw invalidArgument(`${JSON.stringify(text)}: malformed %-escape in the path`);
  }
  return { host, format, compression, cast, path: decoded, options };
}

const OPTIONS = /^[A-Za-z_][A-Za-z0-9_]*=[^&/?]*(&[A-Za-z_][A-Za-z0-9_]*=[^&/?]*)*$/;

/**
 * Where the options begin: the first `?` followed by nothing but `key=value[&key=value]`
 * (values %-encoded, without `/` or `?`); -1 when none is. Any other `?` is a glob
 * wildcard in the path.
 */
export function optionsStart(rest: string): number {
  for (let q = rest.indexOf('?'); q >= 0; q = rest.indexOf('?', q + 1)) {
    if (OPTIONS.test(rest.slice(q + 1))) return q;
  }
  return -1;
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Input patterns, as factory configs write them: a plain absolute pond glob
 * (`/raw/site-*.series`) or a URL of the grammar in `url.ts` (`series:///raw/site-*.series`,
 * `csv+gzip:///in/*.csv.gz?delimiter=;`, `host+csv:///in/*.csv`). Both forms match the same
 * paths with the same captures (`$0`, `$1`...), because the glob is the URL's path:
 * `series:///raw/site-*.series` and `/raw/site-*.series` are one pattern. Parsing and the
 * rule check are pure; what each field accepts is a {@link PatternRule} its factory states.
 */

import { invalidArgument } from '../errors.js';
import { compileGlob, hasWildcard } from '../tinyfs/glob.js';
import {
  BUILTIN_FORMATS,
  isParsedFormat,
  isUrl,
  PARSED_FORMAT_TABLE,
  PARSED_FORMATS,
  type PondUrl,
  parseUrl,
} from './url.js';

/** A parsed input pattern. */
export interface InputPattern {
  /** The pattern as written. */
  readonly text: string;
  /** The URL, or null for a plain pond glob (read by entry type, like `file:///`). */
  readonly url: PondUrl | null;
  /** True for `host+...`: the glob is on the host filesystem, below the host root. */
  readonly host: boolean;
  /** The absolute path or glob the pattern matches. */
  readonly glob: string;
  /** `file`, `data`, `table`, `series`, `csv`...; `file` for a plain glob. */
  readonly format: string;
}

/**
 * What a config field accepts: whether host reads are allowed there, which URL formats,
 * and whether wildcards are (a single file, such as a template).
 */
export interface PatternRule {
  /** `host+` URLs (only where the trust model allows a config to read the host). */
  readonly host: boolean;
  /** The URL formats the field can use (a plain glob always counts as `file`). */
  readonly formats: readonly string[];
  /** Whether the pattern may have wildcards (default true). */
  readonly wildcards?: boolean;
  /** Why the formats are what they are, for the error when another is used. */
  readonly why: string;
}

/** The formats that name stored files by entry type (no parsing). */
const STORED_FORMATS: readonly string[] = BUILTIN_FORMATS;

/**
 * Parse a pattern: an absolute pond glob or a URL. INVALID_ARGUMENT (naming the text) for
 * a relative path, a malformed URL or glob.
 */
export function parsePattern(text: string): InputPattern {
  if (isUrl(text)) {
    const url = parseUrl(text);
    compileGlob(url.path);
    return { text, url, host: url.host, glob: url.path, format: url.format };
  }
  if (!text.startsWith('/')) {
    throw invalidArgument(
      `${JSON.stringify(text)} is neither an absolute pond path nor a URL (write /path/*.series or series:///path/*.series)`,
    );
  }
  compileGlob(text);
  return { text, url: null, host: false, glob: text, format: 'file' };
}

/** Why `pattern` does not fit `rule` (a sentence naming `field`), or null when it does. */
export function patternProblem(
  pattern: InputPattern,
  rule: PatternRule,
  field: string,
): string | null {
  if (pattern.host && !rule.host) {
    return `${JSON.stringify(pattern.text)} reads the host filesystem; host reads are not allowed in ${field} (only in sql-derived, combine and timeseries-join patterns)`;
  }
  if (!rule.formats.includes(pattern.format)) {
    return `${JSON.stringify(pattern.text)}: ${field} cannot use the ${pattern.format} format (${rule.why}; accepted: a pond glob or ${rule.formats.map((f) => `${f}:///`).join(', ')})`;
  }
  const url = pattern.url;
  if (url && STORED_FORMATS.includes(url.format)) {
    if (url.compression || Object.keys(url.options).length > 0) {
      return `${JSON.stringify(pattern.text)}: compression and ?options apply to parsed formats (${PARSED_FORMATS.join(', ')}), not to ${url.format}:///`;
    }
  }
  if (url && isParsedFormat(url.format)) {
    const known: readonly string[] = PARSED_FORMAT_TABLE[url.format].options;
    const unknown = Object.keys(url.options).find((k) => !known.includes(k));
    if (unknown !== undefined) {
      return `${JSON.stringify(pattern.text)}: unknown ${url.format} option ${JSON.stringify(unknown)} (known: ${known.join(', ')})`;
    }
  }
  if (rule.wildcards === false && hasWildcard(pattern.glob)) {
    return `${JSON.stringify(pattern.text)}: ${field} names one file, not a pattern`;
  }
  return null;
}

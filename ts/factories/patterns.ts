// SPDX-License-Identifier: Apache-2.0
/**
 * Pattern fields in factory configs. Every field that names inputs (`patterns`, `pattern`,
 * `in_pattern`, `source`, `inputs[].pattern`, `template_file`) is parsed by the one parser
 * of `ts/query/pattern.ts`, a plain absolute pond glob or any URL of the grammar, and checked
 * against the rule of its field when the config is validated, so `mknod` refuses a pattern
 * its factory cannot use and names the key. At use, {@link pondMatches} matches a parsed
 * pattern in the pond (the same captures in both forms) and {@link matchSpec} reads one match
 * as the pattern's format says.
 */

import {
  type InputPattern,
  type PatternRule,
  parsePattern,
  patternProblem,
} from '../query/pattern.js';
import { type PlanContext, specForMatchedNode, specForNode } from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import { PARSED_FORMATS } from '../query/url.js';
import type { GlobMatch, NodePath, WD } from '../tinyfs/fs.js';
import { hasWildcard } from '../tinyfs/glob.js';
import { ConfigError, list, type Schema, schemaOf, str } from './config.js';

/** The formats the query engine can read a match through. */
const QUERYABLE: readonly string[] = ['file', 'data', 'table', 'series', ...PARSED_FORMATS];
const QUERYABLE_WHY = `the inputs are queried: tables and series by entry type, raw files parsed by a format (${PARSED_FORMATS.join(', ')})`;

/**
 * Inputs of views (sql-derived, combine, timeseries-join): any queryable URL, and `host+`,
 * which the trust model allows there (rooted at the host root; an imported pond's is empty).
 */
export const VIEW_INPUT: PatternRule = { host: true, formats: QUERYABLE, why: QUERYABLE_WHY };

/** Inputs read per match (temporal-reduce, timeseries-pivot): queryable pond files only. */
export const MATCHED_INPUT: PatternRule = { host: false, formats: QUERYABLE, why: QUERYABLE_WHY };

/** CSV files (csvdir `source`): raw pond files, or a csv URL with its own options. */
export const CSV_INPUT: PatternRule = {
  host: false,
  formats: ['file', 'data', 'csv'],
  why: 'csvdir parses each match as CSV',
};

/** Files whose names a template renders from (their content is not read). */
export const NAMED_FILES: PatternRule = {
  host: false,
  formats: ['file', 'data', 'table', 'series'],
  why: 'a template uses the names and captures of the matches, never parses them',
};

/** One pond file read as text (a template). */
export const ONE_FILE: PatternRule = {
  host: false,
  formats: ['file', 'data'],
  wildcards: false,
  why: 'a template is a text file',
};

/** A config string that must be a pattern fitting `rule`; the text is kept as written. */
export function pattern(rule: PatternRule): Schema<string> {
  return schemaOf((v, path, origin) => {
    const text = str.parse(v, path, origin);
    let parsed: InputPattern;
    try {
      parsed = parsePattern(text);
    } catch (err) {
      throw new ConfigError(`${path}: ${(err as Error).message}`);
    }
    const problem = patternProblem(parsed, rule, path);
    if (problem) throw new ConfigError(`${path}: ${problem}`);
    return text;
  });
}

/** The parsed form of a pattern a {@link pattern} schema accepted. */
export function patternOf(text: string): InputPattern {
  return parsePattern(text);
}

/**
 * `transforms`: paths of transform nodes (such as column-rename), applied in order to each
 * input before the factory reads it.
 */
export const transformPaths: Schema<string[]> = list(
  schemaOf((v, path) => {
    if (typeof v !== 'string' || !v.startsWith('/') || hasWildcard(v)) {
      throw new ConfigError(
        `${path}: expected the absolute pond path of a transform node (e.g. /etc/rename), got ${JSON.stringify(v)}`,
      );
    }
    return v;
  }),
);

/** The pond nodes a pattern matches, with their captures, in walk order. */
export function pondMatches(p: InputPattern, root: WD): AsyncIterable<GlobMatch> {
  return root.glob(p.glob);
}

/** One match read as its pattern says: by entry type for a plain glob, else by the URL. */
export function matchSpec(p: InputPattern, np: NodePath, plan: PlanContext): Promise<TableSpec> {
  return p.url ? specForMatchedNode(p.url, p.text, np, plan) : specForNode(np, plan);
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `sql-derived-table` and `sql-derived-series`: SQL views over pond paths, globs and URLs.
 * Each alias in `patterns` becomes a table of the query; a table pattern must match one
 * file, a series pattern unions every version of every match. Views nest, so a filter on
 * the outermost query reaches the Parquet scan of the physical source. `sql-derived` (the
 * seeds' name) and `combine` are the series form.
 */

import { ErrorCode, PondError } from '../errors.js';
import {
  matchedFiles,
  type PlanContext,
  specForPondPattern,
  specForUrl,
} from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import { isUrl } from '../query/url.js';
import type { WD } from '../tinyfs/fs.js';
import { ConfigError, list, obj, record, str } from './config.js';
import { pattern, transformPaths, VIEW_INPUT } from './patterns.js';
import { defineFactory } from './registry.js';
import { applyTransforms } from './transforms.js';

const DEFAULT_QUERY = 'SELECT * FROM source';

/**
 * The table a view input reads: every version of every match (a pond glob or any queryable
 * URL, `host+` included); with `single`, exactly one file must match.
 */
export async function resolvePattern(
  pattern: string,
  plan: PlanContext,
  single: boolean,
): Promise<TableSpec> {
  if (single) {
    const files = await matchedFiles(pattern, plan);
    if (files.length !== 1) {
      const named = files.length > 0 ? `: ${files.join(', ')}` : '';
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `${pattern}: sql-derived-table needs exactly one matching file, found ${files.length}${named} (use sql-derived-series)`,
        { path: pattern },
      );
    }
  }
  if (isUrl(pattern)) return specForUrl(pattern, plan);
  return specForPondPattern(pattern, plan.root as WD, plan);
}

function derived(name: string, description: string, single: boolean) {
  // `patterns` may be left out, as in the original: a query over no inputs (`SELECT 1`).
  const config = obj(
    {},
    { patterns: record(pattern(VIEW_INPUT)), query: str, transforms: transformPaths },
  );
  return defineFactory({
    name,
    description,
    config,
    async table(c, ctx) {
      const tables: Record<string, TableSpec> = {};
      for (const [alias, pattern] of Object.entries(c.patterns ?? {})) {
        tables[alias] = await applyTransforms(
          await resolvePattern(pattern, ctx.plan, single),
          c.transforms,
          ctx,
        );
      }
      return { kind: 'view', label: ctx.path, sql: c.query ?? DEFAULT_QUERY, tables };
    },
  });
}

export const sqlDerivedTable = derived(
  'sql-derived-table',
  'SQL view over pond tables and URLs; each pattern must match one file',
  true,
);

export const sqlDerivedSeries = derived(
  'sql-derived-series',
  'SQL view over series: every version of every match, unioned by column name',
  false,
);

const combineConfig = obj({ patterns: list(pattern(VIEW_INPUT)) });

/** `combine` (seeds): the union of every file matching `patterns`, as one series. */
export const combine = defineFactory({
  name: 'combine',
  description: 'union (by column name) of every file matching the patterns, as a queryable series',
  config: combineConfig,
  check(c) {
    if (c.patterns.length === 0) throw new ConfigError('patterns: at least one is needed');
  },
  async table(c, ctx) {
    const inputs = await Promise.all(c.patterns.map((p) => resolvePattern(p, ctx.plan, false)));
    return { kind: 'union', label: ctx.path, inputs };
  },
});

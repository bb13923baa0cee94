// SPDX-License-Identifier: Apache-2.0
/**
 * What copying a pond file out writes: raw data as its bytes (a raw series: every version,
 * oldest first); tables, series and computed tables as one Parquet file of the rows a query
 * of the path sees (every version of a series, not only the newest).
 */

import { query } from '../native/engine.js';
import { isTableType } from '../tinyfs/entry-type.js';
import type { FilePath } from '../tinyfs/fs.js';
import { readContent } from '../tinyfs/node.js';
import { type PlanContext, specForNode } from './planner.js';

/** Whether `np` is exported through the query engine rather than as its bytes. */
export function isQueried(np: FilePath): boolean {
  return isTableType(np.node.ref.entryType) || np.node.file.queryable !== undefined;
}

/** The bytes to export for `np`. */
export async function* exportContent(np: FilePath, plan: PlanContext): AsyncIterable<Uint8Array> {
  if (!isQueried(np)) {
    yield* readContent(np.node);
    return;
  }
  const spec = await specForNode(np, plan);
  yield* query('SELECT * FROM source', { source: spec }, { format: 'parquet' });
}

// SPDX-License-Identifier: Apache-2.0
/**
 * The pond directory's layout, defined once for TypeScript (`native/src/layout.rs` is its
 * Rust twin, and a test checks the two agree):
 *
 * ```text
 * POND/
 *   data/                     the oplog, a Delta table
 *     _large_files/blake3=H   content at or above the inline threshold, by BLAKE3
 *   control/                  the control table (transaction log, settings), a Delta table
 *   cache/                    derived, rebuildable files (rollups, format caches)
 * ```
 */

import { join } from 'node:path';

/** Directory names under the pond. */
export const LAYOUT = {
  data: 'data',
  control: 'control',
  cache: 'cache',
} as const;

/** The two Delta tables of a pond, in the order maintenance visits them. */
export const TABLES = [LAYOUT.data, LAYOUT.control] as const;

export type TableName = (typeof TABLES)[number];

/** The directory of one of the pond's tables. */
export function tableDir(pond: string, table: TableName): string {
  return join(pond, table);
}

/** The pond's cache directory, or one of its subdirectories (`rollups`...). */
export function cacheDir(pond: string, ...sub: string[]): string {
  return join(pond, LAYOUT.cache, ...sub);
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Telling a pond written by the original DuckPond (Watertown) from one of pond's own,
 * cheaply, before either is read. The two control tables differ in their columns
 * (REFERENCE-ORIGINAL §6.6: `record_kind`, `has_commit_kind`...; pond's: `record_type`...),
 * and the control table's first commit names them in its schema. So a native open costs
 * one small read more; only when log cleanup removed that commit is a control data file's
 * Parquet footer read instead.
 */

import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYOUT } from '../tlogfs/layout.js';

/** A column only the original's control table has. */
const ORIGINAL_COLUMN = 'has_commit_kind';
const FIRST_COMMIT = `${'0'.repeat(20)}.json`;
/** A Parquet footer of a control file is a few KiB; read at most this much of its tail. */
const FOOTER_BYTES = 64 * 1024;

/** True when `pond` (a directory holding `data/` and `control/`) was written by the original. */
export async function isOriginalPond(pond: string): Promise<boolean> {
  const control = join(pond, LAYOUT.control);
  const first = await readFile(join(control, '_delta_log', FIRST_COMMIT), 'utf8').catch(() => null);
  if (first !== null) return first.includes(ORIGINAL_COLUMN);
  const names = await readdir(control).catch(() => [] as string[]);
  const parquet = names.find((n) => n.endsWith('.parquet'));
  return parquet ? (await footerText(join(control, parquet))).includes(ORIGINAL_COLUMN) : false;
}

/** The tail of a Parquet file, where its footer names the columns in plain UTF-8. */
async function footerText(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, FOOTER_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('latin1');
  } finally {
    await handle.close();
  }
}

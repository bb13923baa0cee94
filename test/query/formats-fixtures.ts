// SPDX-License-Identifier: Apache-2.0
/** Shared plumbing of the `formats-*` tests: the fixture files, a pond to query them from,
 * and results as plain rows (sorted where the query does not order them). */

import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { Pond } from '../../ts/index.js';
import { REPO, tempDir } from '../helpers.js';

export const FIXTURES = join(REPO, 'test', 'fixtures', 'formats');

/** The fixture `rel` (e.g. `weblog/access.log`) as a host path. */
export function fixture(rel: string): string {
  return join(FIXTURES, rel);
}

/** A fresh pond in a temp directory (removed after the test). */
export async function freshPond(): Promise<Pond> {
  return Pond.create(join(await tempDir(), 'pond'));
}

/** A row's plain values: bigints as numbers, timestamps as ISO text. */
export type Row = Record<string, string | number | boolean | null>;

export function rows(table: Table): Row[] {
  const timeColumns = table.schema.fields
    .filter((f) => String(f.type).startsWith('Timestamp'))
    .map((f) => f.name);
  return table.toArray().map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r.toJSON() as Record<string, unknown>)) {
      if (v === null || v === undefined) out[k] = null;
      else if (timeColumns.includes(k)) out[k] = new Date(Number(v)).toISOString();
      else if (typeof v === 'bigint') out[k] = Number(v);
      else out[k] = v as string | number | boolean;
    }
    return out;
  });
}

/** `sql` over `pond`, as rows, with the warnings it reported. */
export async function query(
  pond: Pond,
  sql: string,
): Promise<{ rows: Row[]; warnings: string[]; columns: string[]; types: string[] }> {
  const warnings: string[] = [];
  const table = await pond.sql(sql, { onWarning: (w) => warnings.push(w) });
  return {
    rows: rows(table),
    warnings,
    columns: table.schema.fields.map((f) => f.name),
    types: table.schema.fields.map((f) => String(f.type)),
  };
}

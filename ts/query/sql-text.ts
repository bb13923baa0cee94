// SPDX-License-Identifier: Apache-2.0
/** Names and text spliced into SQL that pond writes (derived, join, pivot and rollup plans). */

/** A column or table name as a SQL identifier: `"name"`, with `"` doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Text as a SQL string literal: `'text'`, with `'` doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

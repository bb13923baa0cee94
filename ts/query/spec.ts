// SPDX-License-Identifier: Apache-2.0
/**
 * `TableSpec`: what a table name in SQL stands for, as the engine builds it
 * (`native/src/query/spec.rs` is the other half of this contract). TS resolves pond paths,
 * globs and URLs into specs; the addon turns them into DataFusion providers.
 */

import { quoteIdent } from './sql-text.js';

export interface ParquetFileSpec {
  /** Host path of the Parquet bytes. */
  readonly path: string;
  /** For pond content: its recorded hash and size, checked before the scan reads it. */
  readonly blake3?: string | null;
  readonly size?: number | null;
  /** Event-time bounds in µs, when recorded (series versions). */
  readonly minTime?: number | null;
  readonly maxTime?: number | null;
}

/**
 * What a table name in SQL stands for: Parquet files (pond versions or host files), a
 * union of specs (a series' versions, a glob), a view (SQL over named specs), or a
 * format reader over raw bytes. Built by the planner; the addon plans it in DataFusion.
 * Custom table factories return one from `table()`.
 */
export type TableSpec =
  | {
      readonly kind: 'parquet';
      readonly label: string;
      readonly files: readonly ParquetFileSpec[];
      readonly timeColumn?: string | null;
      /** What parsing these files from a format skipped (a cached parse), reported with
       * every query that reads them. */
      readonly warnings?: readonly string[];
    }
  | { readonly kind: 'union'; readonly label: string; readonly inputs: readonly TableSpec[] }
  | {
      readonly kind: 'view';
      readonly label: string;
      readonly sql: string;
      readonly tables: Readonly<Record<string, TableSpec>>;
      /**
       * The column this view's rows are meant to be read in order of. SQL does not keep
       * the order of a view in an outer query, so readers that show a whole table
       * (`cat`, copy out) add `ORDER BY` it. Not sent to the engine's providers.
       */
      readonly orderBy?: string;
    }
  | {
      readonly kind: 'format';
      readonly label: string;
      readonly format: string;
      readonly compression?: string | null;
      readonly options?: Readonly<Record<string, string>>;
      readonly files: readonly { readonly path: string }[];
      /** The files are one byte stream, in order (a raw series' versions), not each a
       * table of its own; read by the streamed formats (oteljson, jsonlogs, weblog,
       * excelhtml). */
      readonly concatenate?: boolean;
    }
  | { readonly kind: 'empty'; readonly label: string };

/** `SELECT * FROM <name>`, in the spec's declared order if it has one. */
export function selectAll(name: string, spec: TableSpec | undefined): string {
  const order = spec?.kind === 'view' ? spec.orderBy : undefined;
  return order ? `SELECT * FROM ${name} ORDER BY ${quoteIdent(order)}` : `SELECT * FROM ${name}`;
}

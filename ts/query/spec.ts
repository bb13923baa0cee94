// SPDX-License-Identifier: Apache-2.0
/**
 * `TableSpec`: what a table name in SQL stands for, as the engine builds it
 * (`native/src/query/spec.rs` is the other half of this contract). TS resolves pond paths,
 * globs and URLs into specs; the addon turns them into DataFusion providers.
 */

export interface ParquetFileSpec {
  /** Host path of the Parquet bytes. */
  readonly path: string;
  /** Event-time bounds in µs, when recorded (series versions). */
  readonly minTime?: number | null;
  readonly maxTime?: number | null;
}

export type TableSpec =
  | {
      readonly kind: 'parquet';
      readonly label: string;
      readonly files: readonly ParquetFileSpec[];
      readonly timeColumn?: string | null;
    }
  | { readonly kind: 'union'; readonly label: string; readonly inputs: readonly TableSpec[] }
  | {
      readonly kind: 'view';
      readonly label: string;
      readonly sql: string;
      readonly tables: Readonly<Record<string, TableSpec>>;
    }
  | {
      readonly kind: 'format';
      readonly label: string;
      readonly format: string;
      readonly compression?: string | null;
      readonly options?: Readonly<Record<string, string>>;
      readonly files: readonly { readonly path: string }[];
      readonly cacheFile?: string | null;
    }
  | { readonly kind: 'empty'; readonly label: string };

// SPDX-License-Identifier: Apache-2.0
/**
 * duckpond: a local-first, transactional, versioned filesystem for files, tables and
 * time series, stored as a Delta Lake log. This module is the curated public API.
 */

import { any, bool, list, num, obj, oneOf, record, str } from './factories/config.js';

export { ErrorCode, PondError } from './errors.js';
export type { Schema } from './factories/config.js';
export { defaultRegistry } from './factories/index.js';
export {
  defineFactory,
  type Factory,
  type FactoryContext,
  type FactoryDef,
  Registry,
  type RunContext,
} from './factories/registry.js';
export {
  type AsOf,
  type ChangeKind,
  type DiffEntry,
  Pond,
  type PondEntry,
  type PondEnvironment,
  PondView,
  type SqlOptions,
  Transaction,
  type VersionInfo,
  type WriteData,
} from './pond.js';
export type { TableSpec } from './query/spec.js';
export type { Changes, TxnKind, TxnStatus, TxnSummary } from './steward/control.js';
export { EntryType } from './tinyfs/entry-type.js';

/**
 * Config schemas for your own factories: `obj(required, optional)` is a mapping that refuses
 * unknown keys; `str`, `num`, `bool`, `any`, `oneOf(...)`, `list(item)`, `record(value)`.
 *
 * @example
 * ```ts
 * const config = schema.obj({ value: schema.num }, { rows: schema.num });
 * ```
 */
export const schema = { any, bool, list, num, obj, oneOf, record, str } as const;

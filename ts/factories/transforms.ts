// SPDX-License-Identifier: Apache-2.0
/**
 * Applying transform nodes (`transforms: [path, ...]` in a config) to an input spec, and
 * learning a spec's columns (transforms and joins rename columns by name).
 */

import { DataType, tableFromIPC } from 'apache-arrow';
import { ErrorCode, PondError } from '../errors.js';
import type { TableSpec } from '../query/spec.js';
import type { FactoryContext } from './registry.js';
import { storedConfig } from './stored-config.js';

/** The columns of a spec with whether each is numeric, in order (a zero-row query). */
export async function fieldsOf(spec: TableSpec): Promise<{ name: string; numeric: boolean }[]> {
  const { query } = await import('../native/engine.js');
  for await (const chunk of query('SELECT * FROM t LIMIT 0', { t: spec }, { format: 'ipc' })) {
    return tableFromIPC(chunk).schema.fields.map((f) => ({
      name: f.name,
      numeric: DataType.isInt(f.type) || DataType.isFloat(f.type) || DataType.isDecimal(f.type),
    }));
  }
  return [];
}

/** The column names of a spec, in order. */
export async function columnsOf(spec: TableSpec): Promise<string[]> {
  return (await fieldsOf(spec)).map((f) => f.name);
}

/** Apply the transform nodes at `paths`, in order, to `input`. */
export async function applyTransforms(
  input: TableSpec,
  paths: readonly string[] | undefined,
  ctx: FactoryContext,
): Promise<TableSpec> {
  let spec = input;
  for (const path of paths ?? []) {
    const np = await ctx.root.get(path);
    const stored = await storedConfig(ctx.root.fs.persistence, np.node.ref, ctx.env);
    const factory = stored ? ctx.registry.get(stored.factory) : null;
    if (!stored || factory?.kind !== 'transform') {
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `${path}: not a transform node (make one with a transform factory such as column-rename)`,
        {
          path,
        },
      );
    }
    const config = factory.validate(stored.config, ctx.registry);
    spec = factory.transform(config, spec, await columnsOf(spec), `${input.label} | ${path}`);
  }
  return spec;
}

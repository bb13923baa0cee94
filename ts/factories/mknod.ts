// SPDX-License-Identifier: Apache-2.0
/**
 * Storing a dynamic node: validate the config with its factory first (env references
 * expanded for the check only), then store the raw YAML text with the factory name. An
 * existing node is replaced (a new version) only with `overwrite`. A table node's query is
 * planned against its inputs before the write commits, unless `check` is false.
 */

import { alreadyExists, ErrorCode, PondError } from '../errors.js';
import { explainSql } from '../query/run-sql.js';
import type { TableSpec } from '../query/spec.js';
import { isDynamicType } from '../tinyfs/entry-type.js';
import type { WD } from '../tinyfs/fs.js';
import { collect } from '../tinyfs/persistence.js';
import { parseConfigText } from './config.js';
import { entryTypeFor } from './dynamic.js';
import type { Registry } from './registry.js';

export type MknodOutcome = 'created' | 'updated' | 'unchanged';

export interface MknodOptions {
  readonly registry: Registry;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly overwrite?: boolean;
  /** Plan a table node's query against its inputs as they are now, and store nothing when
   * that fails (default true; false when the inputs do not exist yet). */
  readonly check?: boolean;
}

/** Check a config against its factory without storing anything; returns the canonical name. */
export function validateConfig(factoryName: string, text: string, options: MknodOptions): string {
  const factory = options.registry.get(factoryName);
  factory.validate(parseConfigText(text, options.env), options.registry);
  return factory.name;
}

export async function mknod(
  root: WD,
  path: string,
  factoryName: string,
  text: string,
  options: MknodOptions,
): Promise<MknodOutcome> {
  const name = validateConfig(factoryName, text, options);
  const entryType = entryTypeFor(options.registry.get(name));
  const bytes = new TextEncoder().encode(text);
  const found = await root.lookup(path, { follow: false });
  if (found.kind === 'missing') {
    await root.createFile(path, entryType, { kind: 'bytes', bytes }, { factory: name });
    if (options.check !== false) await checkNode(root, path);
    return 'created';
  }
  const { np } = found;
  const ref = np.node.ref;
  if (!isDynamicType(ref.entryType) || ref.entryType !== entryType) {
    throw new PondError(
      ErrorCode.ALREADY_EXISTS,
      `${np.path}: exists as ${ref.entryType}; a ${name} node is ${entryType}`,
      { path: np.path },
    );
  }
  const persistence = root.fs.persistence;
  const versions = await persistence.versions(ref);
  const latest = versions[versions.length - 1];
  if (latest && latest.factory === name) {
    const current = new TextDecoder().decode(await collect(persistence.read(ref, latest)));
    if (current === text) return 'unchanged';
  }
  if (!options.overwrite) throw alreadyExists(np.path);
  const content = await persistence.store({ kind: 'bytes', bytes });
  await persistence.appendVersion(ref, content, { factory: name });
  if (options.check !== false) await checkNode(root, path);
  return 'updated';
}

/**
 * Plan a just-stored table node through the same path a read takes, without running it.
 * It runs inside the caller's transaction, so a failure here aborts the write.
 */
async function checkNode(root: WD, path: string): Promise<void> {
  const found = await root.lookup(path);
  if (found.kind === 'missing' || found.np.node.kind !== 'file') return;
  const file = found.np.node.file;
  if (!file.queryable) return;
  const spec = (await file.queryable([found.np.path])) as TableSpec;
  await explainSql('SELECT * FROM node LIMIT 0', { node: spec });
}

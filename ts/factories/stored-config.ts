// SPDX-License-Identifier: Apache-2.0
/** A dynamic node's stored config, as every use of the node reads it: its newest version. */

import {
  collect,
  type NodeRef,
  type Persistence,
  type VersionRecord,
} from '../tinyfs/persistence.js';
import { type Env, parseConfigText } from './config.js';

export interface NodeConfig {
  /** The factory name the newest version records. */
  readonly factory: string;
  /** Its YAML parsed, `${env:}` expanded from the environment (not yet validated). */
  readonly config: unknown;
  /** The YAML as stored (unexpanded). */
  readonly text: string;
  readonly versions: readonly VersionRecord[];
}

/** The newest version's factory and config; null when the node records no factory. */
export async function storedConfig(
  persistence: Persistence,
  ref: NodeRef,
  env: Env,
): Promise<NodeConfig | null> {
  const versions = await persistence.versions(ref);
  const latest = versions[versions.length - 1];
  if (!latest?.factory) return null;
  const text = new TextDecoder().decode(await collect(persistence.read(ref, latest)));
  return { factory: latest.factory, config: parseConfigText(text, env), text, versions };
}

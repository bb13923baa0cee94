// SPDX-License-Identifier: Apache-2.0
/** `dynamic-dir`: a read-only directory whose children are factory nodes; nestable. */

import type { Node } from '../tinyfs/node.js';
import { childRef } from '../tinyfs/node-id.js';
import { checkName } from '../tinyfs/path.js';
import { any, ConfigError, type Infer, list, obj, str } from './config.js';
import { ComputedDirectory, entryTypeFor, factoryNode } from './dynamic.js';
import { defineFactory, type FactoryContext } from './registry.js';

const entry = obj({ name: str, factory: str, config: any });
type Entry = Infer<typeof entry>;

async function entryNode(e: Entry, ctx: FactoryContext): Promise<Node> {
  const factory = ctx.registry.get(e.factory);
  const ref = childRef(ctx.ref, entryTypeFor(factory), e.name);
  return factoryNode(ref, e.factory, e.config, { ...ctx, path: `${ctx.path}/${e.name}` });
}

const config = obj({ entries: list(entry) });

export const dynamicDir = defineFactory({
  name: 'dynamic-dir',
  description:
    'read-only directory whose entries are factory nodes, each with its own config (nestable)',
  config,
  check(config, registry) {
    const seen = new Set<string>();
    config.entries.forEach((e, i) => {
      try {
        checkName(e.name);
      } catch {
        throw new ConfigError(`entries[${i}].name: invalid entry name ${JSON.stringify(e.name)}`);
      }
      if (seen.has(e.name))
        throw new ConfigError(`entries[${i}].name: duplicate entry ${JSON.stringify(e.name)}`);
      seen.add(e.name);
      try {
        registry.get(e.factory).validate(e.config, registry);
      } catch (err) {
        if (err instanceof ConfigError)
          throw new ConfigError(`entries[${i}] (${e.name}): ${err.message}`);
        throw err;
      }
    });
  },
  async open(config, ctx) {
    return new ComputedDirectory(ctx.path, () =>
      Promise.all(
        config.entries.map(async (e): Promise<[string, Node]> => [e.name, await entryNode(e, ctx)]),
      ),
    );
  },
});

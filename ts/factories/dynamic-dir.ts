// SPDX-License-Identifier: Apache-2.0
/** `dynamic-dir`: a read-only directory whose children are factory nodes; nestable. */

import { ErrorCode, PondError } from '../errors.js';
import type { Directory, Node } from '../tinyfs/node.js';
import { derivedNodeId } from '../tinyfs/node-id.js';
import { checkName } from '../tinyfs/path.js';
import { any, ConfigError, list, obj, str } from './config.js';
import { entryTypeFor, factoryNode } from './dynamic.js';
import { directoryFactory, type FactoryContext } from './registry.js';

const entry = obj({ name: str, factory: str, config: any });
type Entry = ReturnType<typeof entry>;

class EntriesDirectory implements Directory {
  readonly writable = false;

  constructor(
    private readonly entries_: readonly Entry[],
    private readonly ctx: FactoryContext,
  ) {}

  private async node(e: Entry): Promise<Node> {
    const factory = this.ctx.registry.get(e.factory);
    const entryType = entryTypeFor(factory);
    const ref = {
      id: derivedNodeId(entryType, `${this.ctx.ref.id}/${e.name}`),
      partId: this.ctx.ref.id,
      entryType,
    };
    return factoryNode(ref, e.factory, e.config, {
      ...this.ctx,
      path: `${this.ctx.path}/${e.name}`,
    });
  }

  async get(name: string): Promise<Node | null> {
    const e = this.entries_.find((x) => x.name === name);
    return e ? this.node(e) : null;
  }

  async entries(): Promise<Array<[string, Node]>> {
    const sorted = [...this.entries_].sort((a, b) => (a.name < b.name ? -1 : 1));
    return Promise.all(
      sorted.map(async (e): Promise<[string, Node]> => [e.name, await this.node(e)]),
    );
  }

  private readOnly(name: string): never {
    throw new PondError(
      ErrorCode.READ_ONLY,
      `${this.ctx.path}/${name}: dynamic directories are read-only`,
    );
  }

  async createDirectory(name: string): Promise<Node> {
    return this.readOnly(name);
  }

  async createFile(name: string): Promise<Node> {
    return this.readOnly(name);
  }

  async createSymlink(name: string): Promise<Node> {
    return this.readOnly(name);
  }
}

const config = obj({ entries: list(entry) });

export const dynamicDir = directoryFactory({
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
    return new EntriesDirectory(config.entries, ctx);
  },
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `pond-import`: another pond's tree, read-only, at this node (what `pond remote add NAME
 * URL MOUNT` creates). It reads the local replica `pond pull NAME` keeps under this pond's
 * cache; factories, queries and globs see the imported series like local ones, and every
 * write under the mount is refused.
 */

import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, PondError } from '../errors.js';
import { type Directory, type Node, ReadOnlyDirectory } from '../tinyfs/node.js';
import { obj, str } from './config.js';
import { defineFactory } from './registry.js';

function readOnly(path: string, remote: string): PondError {
  return new PondError(
    ErrorCode.READ_ONLY,
    `${path}: imported from remote ${remote}, read-only (change it in its own pond, then pond pull ${remote})`,
    { path },
  );
}

/** A node of the imported pond that refuses writes. */
function wrap(node: Node, path: string, remote: string): Node {
  switch (node.kind) {
    case 'directory':
      return {
        kind: 'directory',
        ref: node.ref,
        dir: new ImportedDirectory(node.dir, path, remote),
      };
    case 'file': {
      const file = node.file;
      return {
        kind: 'file',
        ref: node.ref,
        file: {
          versions: () => file.versions(),
          read: (version) => file.read(version),
          write: async () => {
            throw readOnly(path, remote);
          },
          ...(file.localPath ? { localPath: (v) => file.localPath?.(v) as Promise<string> } : {}),
          ...(file.queryable
            ? { queryable: (visiting) => file.queryable?.(visiting) as Promise<unknown> }
            : {}),
        },
      };
    }
    case 'symlink':
      return node;
  }
}

class ImportedDirectory extends ReadOnlyDirectory {
  constructor(
    private readonly inner: Directory,
    private readonly path: string,
    private readonly remote: string,
  ) {
    super();
  }

  protected refuse(name: string): PondError {
    return readOnly(this.child(name), this.remote);
  }

  private child(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  async get(name: string): Promise<Node | null> {
    const node = await this.inner.get(name);
    return node ? wrap(node, this.child(name), this.remote) : null;
  }

  async entries(): Promise<Array<[string, Node]>> {
    return (await this.inner.entries()).map(([name, node]) => [
      name,
      wrap(node, this.child(name), this.remote),
    ]);
  }
}

export const pondImport = defineFactory({
  name: 'pond-import',
  description: "another pond's tree, read-only, from the replica pond pull keeps (pond remote add)",
  config: obj({ remote: str }),
  async open(c, ctx) {
    const cache = ctx.root.fs.persistence.cacheDir;
    if (!cache) throw readOnly(ctx.path, c.remote);
    const replica = join(cache, 'imports', c.remote);
    if (!(await stat(join(replica, 'data')).catch(() => null))) {
      throw new PondError(
        ErrorCode.NOT_FOUND,
        `${ctx.path}: remote ${c.remote} has not been pulled yet (pond pull ${c.remote})`,
        { path: ctx.path },
      );
    }
    const { Steward } = await import('../steward/steward.js');
    const { dynamicNodes } = await import('./dynamic.js');
    // Content from elsewhere: no ${env:} values and a host root with nothing in it
    // (docs/trust-model.md, "Imported ponds").
    const nowhere = join(replica, 'cache', 'no-host');
    await mkdir(nowhere, { recursive: true });
    const steward = await Steward.open(replica, {
      dynamic: dynamicNodes({ registry: ctx.registry, env: {}, hostRoot: nowhere }),
    });
    const root = await steward.reader();
    return new ImportedDirectory(root.np.node.dir, ctx.path, c.remote);
  },
});

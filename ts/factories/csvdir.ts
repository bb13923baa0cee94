// SPDX-License-Identifier: Apache-2.0
/**
 * `csvdir` (seeds): a directory presenting each CSV matched by `source` (a pond glob) as a
 * queryable table named after the file (without `.csv`). A table parses on first read
 * into a Parquet cache under `$POND/cache/formats/`, keyed by the CSV's node, version and
 * hash, so a new version of the CSV is parsed again and an unchanged one never is.
 */

import { specForUrl } from '../query/planner.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { Node } from '../tinyfs/node.js';
import { childRef } from '../tinyfs/node-id.js';
import { bool, obj, str } from './config.js';
import { ComputedDirectory, computedTable } from './dynamic.js';
import { defineFactory } from './registry.js';

const config = obj({ source: str }, { has_header: bool, delimiter: str, quote: str });

export const csvdir = defineFactory({
  name: 'csvdir',
  description:
    'each CSV matched by a pond glob as a queryable table, parsed on first read and cached',
  config,
  async open(c, ctx) {
    const options = new URLSearchParams();
    if (c.has_header !== undefined) options.set('has_header', String(c.has_header));
    if (c.delimiter !== undefined) options.set('delimiter', c.delimiter);
    if (c.quote !== undefined) options.set('quote', c.quote);
    const query = options.size > 0 ? `?${options}` : '';
    return new ComputedDirectory(ctx.path, async () => {
      const out: Array<[string, Node]> = [];
      for await (const { np } of ctx.root.glob(c.source)) {
        if (np.node.kind !== 'file') continue;
        const name = np.path.slice(np.path.lastIndexOf('/') + 1).replace(/\.csv$/i, '');
        const ref = childRef(ctx.ref, EntryType.TableDynamic, np.node.ref.id);
        const versions = await np.node.file.versions();
        const childPath = `${ctx.path}/${name}`;
        out.push([
          name,
          computedTable(ref, { ...ctx, path: childPath }, versions.slice(-1), (visiting) =>
            specForUrl(`csv://${np.path}${query}`, { ...ctx.plan, visiting }),
          ),
        ]);
      }
      return out;
    });
  },
});

// SPDX-License-Identifier: Apache-2.0
/** The read cache a steward carries across its own commits, against a fresh open. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadRowsOptions } from '../../ts/native/store.js';
import { ingestHostFile } from '../../ts/query/ingest.js';
import { Steward } from '../../ts/steward/steward.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import type { WD } from '../../ts/tinyfs/fs.js';
import { childRef } from '../../ts/tinyfs/node.js';
import { collect, type Persistence } from '../../ts/tinyfs/persistence.js';
import { readingsSql, tempDir, writeParquet } from '../helpers.js';

const bytes = (b: Uint8Array | string) => ({
  kind: 'bytes' as const,
  bytes: typeof b === 'string' ? new TextEncoder().encode(b) : b,
});

/** Every physical directory's entries and every node's versions with their content. */
async function everything(persistence: Persistence): Promise<unknown[]> {
  const out: unknown[] = [];
  const walk = async (dirId: string, path: string): Promise<void> => {
    const entries = [...(await persistence.entries(dirId)).values()];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const ref = childRef(dirId, entry.childId, entry.entryType);
      const versions = await persistence.versions(ref);
      const contents: string[] = [];
      for (const v of versions)
        contents.push(Buffer.from(await collect(persistence.read(ref, v))).toString('base64'));
      out.push({ path: `${path}/${entry.name}`, entry, versions, contents });
      if (entry.entryType === EntryType.DirectoryPhysical)
        await walk(entry.childId, `${path}/${entry.name}`);
    }
  };
  await walk(persistence.rootId, '');
  return out;
}

async function dynamicNode(root: WD, dir: string, name: string, config: string): Promise<void> {
  const persistence = root.fs.persistence;
  const parent = (await root.get(dir)).node.ref;
  const content = await persistence.store(bytes(config));
  const existing = (await persistence.entries(parent.id)).get(name);
  if (existing) {
    const ref = childRef(parent.id, existing.childId, existing.entryType);
    await persistence.appendVersion(ref, content, { factory: 'hostmount' });
  } else {
    await persistence.createNode(parent.id, name, EntryType.DirectoryDynamic, content, {
      factory: 'hostmount',
    });
  }
}

describe('read cache across commits', () => {
  it('reads the same after in-process commits as a fresh open, without reloading partitions', async () => {
    const dir = await tempDir();
    const path = join(dir, 'pond');
    const series = [join(dir, 's0.parquet'), join(dir, 's1.parquet')];
    await writeParquet(series[0] as string, readingsSql('2024-01-01T00:00:00Z', 50));
    await writeParquet(series[1] as string, readingsSql('2024-01-02T00:00:00Z', 50));
    const steward = await Steward.create(path, { args: ['test', 'init'] });
    await steward.write(['t'], async (root) => {
      await root.mkdir('/d');
      await root.writeFile('/d/small', bytes('one'));
      await root.writeFile('/d/big', bytes(randomBytes(100_000)));
      await ingestHostFile(
        root,
        series[0] as string,
        '/d/s.series',
        EntryType.TablePhysicalSeries,
        {},
      );
      await dynamicNode(root, '/d', 'mnt', 'directory: /a\n');
    });
    await everything((await steward.reader()).fs.persistence);

    await steward.write(['t'], async (root) => {
      await root.writeFile('/d/small', bytes('two'));
      await root.writeFile('/d/big', bytes(randomBytes(90_000)));
      await ingestHostFile(
        root,
        series[1] as string,
        '/d/s.series',
        EntryType.TablePhysicalSeries,
        {},
      );
      await dynamicNode(root, '/d', 'mnt', 'directory: /b\n');
      await root.mkdir('/d/e');
      await root.writeFile('/d/e/f', bytes('three'));
    });
    const partitionReads: string[] = [];
    const readRows = steward.store.readRows.bind(steward.store);
    steward.store.readRows = (options: ReadRowsOptions) => {
      if (!options.withContent) partitionReads.push(options.partId);
      return readRows(options);
    };
    const carried = await everything((await steward.reader()).fs.persistence);
    const fresh = await everything((await (await Steward.open(path)).reader()).fs.persistence);
    expect(carried).toEqual(fresh);
    // Only the directory created by the second commit was never read before.
    const e = (await (await steward.reader()).get('/d/e')).node.ref.id;
    expect(partitionReads).toEqual([e]);
  });
});

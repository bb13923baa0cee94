// SPDX-License-Identifier: Apache-2.0
/**
 * A library user reading while the same process commits: every read (list, read, SQL)
 * succeeds and sees one whole snapshot, the one before a commit or the one after it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import { Store, Txn } from '../../ts/native/store.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { tempDir } from '../helpers.js';

const ROUNDS = 12;
const READERS = 8;

/** Transaction `k` writes `/a/k`, `/b/k`, `/count` = k and a `/t.table` of k rows. */
async function commit(pond: Pond, k: number): Promise<void> {
  await pond.transaction(async (tx) => {
    await tx.mkdir('/a', { parents: true });
    await tx.mkdir('/b', { parents: true });
    await tx.write(`/a/${k}`, `a${k}`);
    await tx.write(`/b/${k}`, `b${k}`);
    await tx.write('/count', String(k));
    await tx.writeSql('/t.table', `SELECT value AS n FROM generate_series(1, ${k})`, {
      entryType: EntryType.TablePhysicalVersion,
    });
  });
}

/** Which transaction a snapshot ends at, by each kind of read; each must agree with itself. */
async function observe(pond: Pond, kind: number): Promise<number> {
  switch (kind % 3) {
    case 0: {
      const paths = (await pond.list('/**')).map((e) => e.path);
      const a = paths.filter((p) => p.startsWith('/a/')).length;
      const b = paths.filter((p) => p.startsWith('/b/')).length;
      expect(b, 'both halves of every transaction').toBe(a);
      return a;
    }
    case 1:
      return Number(new TextDecoder().decode(await pond.read('/count')));
    default: {
      const t = await pond.sql(`SELECT count(*) AS n, max(n) AS top FROM '/t.table'`);
      const [n, top] = [Number(t.getChild('n')?.get(0)), Number(t.getChild('top')?.get(0))];
      expect(top, 'one version of the table').toBe(n);
      return n;
    }
  }
}

/** Reads of every kind racing `ROUNDS` commits; the number of reads made. */
async function workload(pond: Pond): Promise<number> {
  await commit(pond, 1);
  let reads = 0;
  const errors: unknown[] = [];
  for (let k = 2; k <= ROUNDS + 1; k++) {
    let committing = true;
    const seen: number[] = [];
    // Readers loop until the commit is done, so their reads start at every point of it.
    const reader = async (id: number): Promise<void> => {
      for (let i = 0; committing || i < 2; i++) {
        try {
          seen.push(await observe(pond, id + i));
        } catch (err) {
          errors.push(err);
        }
        reads++;
      }
    };
    const before = Array.from({ length: READERS }, (_, id) => reader(id));
    const done = commit(pond, k).finally(() => {
      committing = false;
    });
    const after = Array.from({ length: READERS }, (_, id) => reader(id + READERS));
    await Promise.all([...before, done, ...after]);
    expect(
      seen.every((s) => s === k - 1 || s === k),
      `round ${k}: ${seen}`,
    ).toBe(true);
    expect(await observe(pond, 0)).toBe(k);
  }
  expect(errors).toEqual([]);
  expect(reads).toBeGreaterThan(ROUNDS * READERS * 4);
  return reads;
}

const version = Object.getOwnPropertyDescriptor(Store.prototype, 'version') as PropertyDescriptor;
const commitRows = Txn.prototype.commit;

afterEach(() => {
  Object.defineProperty(Store.prototype, 'version', version);
  Txn.prototype.commit = commitRows;
});

describe('reads while the same process commits', () => {
  it('never fail and always see a whole snapshot, before or after each commit', async () => {
    await workload(await Pond.create(join(await tempDir(), 'pond')));
  });

  it('do not depend on the store handle reporting its version during a commit', async () => {
    // A store handle may report -1 while a commit holds it (as the addon's handle once
    // did): readers must still get the snapshot before the commit.
    let committing = 0;
    Object.defineProperty(Store.prototype, 'version', {
      get(this: Store) {
        return committing > 0 ? -1 : (version.get as () => number).call(this);
      },
    });
    Txn.prototype.commit = async function (this: Txn, rows, meta) {
      committing++;
      try {
        return await commitRows.call(this, rows, meta);
      } finally {
        committing--;
      }
    };
    await workload(await Pond.create(join(await tempDir(), 'pond')));
  });
});

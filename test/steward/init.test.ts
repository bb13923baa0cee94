// SPDX-License-Identifier: Apache-2.0
/**
 * `pond init` is atomic from the user's view: each state an interrupted init can leave is
 * built here on purpose; opening it says to run init again, and init then makes a whole
 * pond. A pond with user data is never re-initialised.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { Pond } from '../../ts/index.js';
import { Store } from '../../ts/native/store.js';
import { fsck } from '../../ts/steward/fsck.js';
import { Steward } from '../../ts/steward/steward.js';
import { uuid7 } from '../../ts/tinyfs/node-id.js';
import { rootRows } from '../../ts/tlogfs/persistence.js';
import { encodeRows } from '../../ts/tlogfs/rows.js';
import { pond, pondOk, tempDir } from '../helpers.js';

const code = (c: string, path?: string) =>
  expect.objectContaining(path === undefined ? { code: c } : { code: c, path });

/** Each half-made state, built from a fresh path. */
const HALF_MADE: Record<string, (p: string) => Promise<void>> = {
  // init died after the oplog's first commit, before the control table's.
  'data table only (made by the store alone)': async (p) => {
    const pondId = uuid7();
    const rows = encodeRows(rootRows(pondId, 1, Date.now() * 1000));
    await Store.create(p, rows, { txn_seq: 1, txn_id: uuid7(), args: ['init'] });
  },
  'a whole pond whose control table is then removed': async (p) => {
    await pondOk(p, 'init');
    await rm(join(p, 'control'), { recursive: true, force: true });
  },
  // init died inside the oplog's first Delta commit: a log directory with no commit.
  'a data table with no commit': async (p) => {
    await pondOk(p, 'init');
    await rm(join(p, 'control'), { recursive: true, force: true });
    const log = join(p, 'data', '_delta_log');
    for (const name of await readdir(log)) await rm(join(log, name), { recursive: true });
  },
  'the directories alone': async (p) => {
    for (const d of ['data', 'control', 'cache']) await mkdir(join(p, d), { recursive: true });
  },
};

describe('pond init after an interrupted init', () => {
  for (const [state, make] of Object.entries(HALF_MADE)) {
    it(`${state}: open says to init again; init makes a whole pond`, async () => {
      const p = join(await tempDir(), 'pond');
      await make(p);
      const opened = Pond.open(p);
      await expect(opened).rejects.toThrow(code(ErrorCode.NOT_A_POND));
      const cli = await pond(p, 'list');
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain(`[${ErrorCode.NOT_A_POND}]`);

      await pondOk(p, 'init', '--birthplace', 'second');
      const steward = await Steward.open(p);
      expect(await steward.identity()).toMatchObject({
        pondId: steward.pondId,
        birthplace: 'second',
      });
      expect((await steward.transactions()).map((t) => [t.seq, t.status])).toEqual([
        [1, 'COMMITTED'],
      ]);
      await pondOk(p, 'mkdir', '/a');
      expect((await fsck(steward)).problems).toEqual([]);
      // and now it is whole: init refuses it
      const again = await pond(p, 'init');
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain(`[${ErrorCode.ALREADY_EXISTS}]`);
    });
  }

  it('never re-initialises a pond with user data whose control table is missing', async () => {
    const p = join(await tempDir(), 'pond');
    await pondOk(p, 'init');
    await pondOk(p, 'mkdir', '/a');
    await rm(join(p, 'control'), { recursive: true, force: true });
    await expect(Pond.create(p)).rejects.toThrow(code(ErrorCode.ALREADY_EXISTS, p));
    // its data stays readable; writes and fsck report the missing control log
    const steward = await Steward.open(p);
    expect((await pondOk(p, 'list', '/')).stdout).toContain('/a');
    await expect(steward.write(['mkdir', '/b'], (root) => root.mkdir('/b'))).rejects.toThrow(
      code(ErrorCode.CORRUPT),
    );
    expect((await fsck(steward)).problems).toEqual([code(ErrorCode.CORRUPT)]);
  });
});

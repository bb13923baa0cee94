// SPDX-License-Identifier: Apache-2.0
/**
 * Integrity: recover decides committed-ness from the data (also after compaction removed
 * the commit files); fsck and writes cross-check the control log against the data table;
 * the root checksum covers directories; crafted oplog values never become host paths.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { Pond } from '../../ts/index.js';
import { fsck } from '../../ts/steward/fsck.js';
import { maintain } from '../../ts/steward/maintain.js';
import { Steward } from '../../ts/steward/steward.js';
import { EntryType } from '../../ts/tinyfs/entry-type.js';
import { newNodeId, uuid7 } from '../../ts/tinyfs/node-id.js';
import { ROOT_ID } from '../../ts/tinyfs/persistence.js';
import { encodeRows, Format, type OplogRow, snapshotRow } from '../../ts/tlogfs/rows.js';
import { pond, pondOk, tempDir } from '../helpers.js';

const code = (c: string, path?: string) =>
  expect.objectContaining(path === undefined ? { code: c } : { code: c, path });

async function newPond(): Promise<{ dir: string; p: string }> {
  const dir = await tempDir();
  const p = join(dir, 'pond');
  await pondOk(p, 'init');
  return { dir, p };
}

const commitFile = (p: string, version: number) =>
  join(p, 'data', '_delta_log', `${String(version).padStart(20, '0')}.json`);

/** A steward whose `committed` control records are lost, as if it died after each commit. */
async function losingEndRecords(p: string): Promise<Steward> {
  const steward = await Steward.open(p);
  const append = steward.control.append.bind(steward.control);
  steward.control.append = async (records) => {
    if (records[0]?.recordType === 'committed') throw new Error('lost');
    return append(records);
  };
  return steward;
}

describe('pond recover after compaction', () => {
  it('records COMMITTED from the rows when compaction removed the commit file', async () => {
    const { p } = await newPond();
    await (await losingEndRecords(p)).write(['mkdir', '/b'], (root) => root.mkdir('/b'));
    const steward = await Steward.open(p);
    // Compaction with log cleanup of everything (no retention window).
    await maintain(steward, { compact: true, retentionMs: 0 });
    expect((await steward.dataCommits()).map((c) => c.txnSeq)).not.toContain(2);
    const done = await steward.recover();
    expect(done.map((r) => [r.txn.seq, r.outcome])).toEqual([[2, 'committed']]);
    const txns = await steward.transactions();
    expect(txns.find((t) => t.seq === 2)?.status).toBe('COMMITTED');
    expect((await fsck(steward)).problems).toEqual([]);
    const out = (await pondOk(p, 'log')).stdout;
    expect(out).toMatch(/^\s+2 {2}COMMITTED .*pond mkdir \/b/m);
  });
});

describe('the control log against the data table', () => {
  it('fsck reports and writes refuse a lost newest commit file', async () => {
    const { p } = await newPond();
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'mkdir', '/b');
    await rm(commitFile(p, 2));
    const steward = await Steward.open(p);
    const report = await fsck(steward);
    expect(report.problems).toEqual([code(ErrorCode.CORRUPT, 'txn 3')]);
    const failed = await pond(p, 'fsck');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`[${ErrorCode.CORRUPT}]`);
    await expect(steward.write(['mkdir', '/c'], (root) => root.mkdir('/c'))).rejects.toThrow(
      code(ErrorCode.CORRUPT),
    );
    expect(existsSync(commitFile(p, 2))).toBe(false);
    expect((await steward.transactions()).map((t) => t.seq)).toEqual([1, 2, 3]);
  });

  it('fsck reports and writes refuse an emptied newest commit file', async () => {
    const { p } = await newPond();
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'mkdir', '/b');
    await writeFile(commitFile(p, 2), '');
    const opened = await Steward.open(p).then(
      (s) => s,
      (err: unknown) => err,
    );
    if (!(opened instanceof Steward)) {
      // Refusing to open the table at all is as good as reporting it.
      expect(opened).toEqual(code(ErrorCode.CORRUPT));
      return;
    }
    expect((await fsck(opened)).problems).toContainEqual(code(ErrorCode.CORRUPT, 'txn 3'));
    await expect(opened.write(['mkdir', '/c'], (root) => root.mkdir('/c'))).rejects.toThrow(
      code(ErrorCode.CORRUPT),
    );
  });

  it('fsck reports a transaction recorded as writing nothing that has rows', async () => {
    const { p } = await newPond();
    const steward = await losingEndRecords(p);
    await steward.write(['mkdir', '/b'], (root) => root.mkdir('/b'));
    await steward.control.append([
      { recordType: 'completed', txnSeq: 2, txnId: (await steward.dataCommits())[1]?.txnId },
    ]);
    expect((await fsck(steward)).problems).toEqual([code(ErrorCode.CORRUPT, 'txn 2')]);
  });

  it('the root checksum covers directories', async () => {
    const { p } = await newPond();
    const sum = async () => (await fsck(await Steward.open(p))).rootChecksum;
    const empty = await sum();
    await pondOk(p, 'mkdir', '/d');
    const withDir = await sum();
    expect(withDir).not.toBe(empty);
    await pondOk(p, 'mkdir', '/d/e');
    expect(await sum()).not.toBe(withDir);
  });
});

/** Commit rows as given, straight through the native store (as a crafted pond holds them). */
async function commitRaw(steward: Steward, seq: number, rows: OplogRow[]): Promise<void> {
  const txn = await steward.store.begin();
  try {
    await txn.commit(encodeRows(rows), { txn_seq: seq, txn_id: uuid7(), args: ['craft'] });
  } finally {
    await txn.release();
  }
}

/** The root listing `name` as a file whose one version claims the content hash `blake3`. */
function craftedFile(steward: Steward, name: string, blake3: string): OplogRow[] {
  const id = newNodeId(EntryType.FilePhysicalVersion);
  const timestamp = Date.now() * 1000;
  const entry = {
    name,
    childId: id,
    entryType: EntryType.FilePhysicalVersion,
    versionLastModified: 1,
  };
  const content = new TextEncoder().encode('a,b\n1,2\n');
  const file: OplogRow = {
    ...snapshotRow(ROOT_ID, 2, [], 2, timestamp, steward.pondId),
    nodeId: id,
    fileType: EntryType.FilePhysicalVersion,
    version: 1,
    content,
    blake3,
    size: content.length,
    format: Format.Inline,
  };
  return [snapshotRow(ROOT_ID, 2, [entry], 2, timestamp, steward.pondId), file];
}

describe('crafted oplog values', () => {
  it('a blake3 that is a path is CORRUPT on read and in fsck, and no host file is made', async () => {
    const { dir, p } = await newPond();
    const steward = await Steward.open(p);
    const rows = craftedFile(steward, 'evil.csv', '../../../../pwned');
    await commitRaw(steward, 2, rows);
    const nodeId = rows[1]?.nodeId as string;
    const evil = await Pond.open(p);
    await expect(evil.read('/evil.csv')).rejects.toThrow(code(ErrorCode.CORRUPT, nodeId));
    await expect(evil.sql(`SELECT * FROM 'csv:///evil.csv'`)).rejects.toThrow(
      code(ErrorCode.CORRUPT, nodeId),
    );
    await expect(evil.list()).rejects.toThrow(code(ErrorCode.CORRUPT));
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(p, 'pwned'))).toBe(false);

    const report = await fsck(steward);
    expect(report.problems).toContainEqual(code(ErrorCode.CORRUPT, '/evil.csv'));
    const out = await pond(p, 'fsck');
    expect(out.code).not.toBe(0);
    expect(out.stdout).toContain('problem: /evil.csv: oplog row v1 has blake3');
  });

  it('a directory entry whose name is a path is CORRUPT, and fsck reports it', async () => {
    const { p } = await newPond();
    const steward = await Steward.open(p);
    const child = newNodeId(EntryType.FilePhysicalVersion);
    const entry = {
      name: '../escape',
      childId: child,
      entryType: EntryType.FilePhysicalVersion,
      versionLastModified: 1,
    };
    await commitRaw(steward, 2, [
      snapshotRow(ROOT_ID, 2, [entry], 2, Date.now() * 1000, steward.pondId),
    ]);
    const evil = await Pond.open(p);
    await expect(evil.list()).rejects.toThrow(code(ErrorCode.CORRUPT, '/'));
    const report = await fsck(await Steward.open(p));
    expect(report.problems).toContainEqual(code(ErrorCode.CORRUPT, '/'));
  });
});

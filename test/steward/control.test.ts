// SPDX-License-Identifier: Apache-2.0
// The control table and what reads it: pond log / show / status / config / recover, pond run
// and post-commit factories, and pond maintain.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Control } from '../../ts/steward/control.js';
import { Steward } from '../../ts/steward/steward.js';
import { pond, pondOk, tempDir } from '../helpers.js';

async function setup(): Promise<{ dir: string; p: string }> {
  const dir = await tempDir();
  const p = join(dir, 'p');
  await writeFile(join(dir, 'a.txt'), 'alpha\n');
  await pondOk(p, 'init');
  return { dir, p };
}

const mirrorConfig = (dir: string) => `pattern: "/data/**"\ndirectory: ${join(dir, 'mirror')}\n`;

describe('pond log', () => {
  it('shows committed writes and a failed run with its error, statuses and changes', async () => {
    const { dir, p } = await setup();
    await pondOk(p, 'mkdir', '/data');
    await pondOk(p, 'copy', `host://${dir}/a.txt`, '/data/a.txt');
    await writeFile(join(dir, 'mirror.yaml'), mirrorConfig(dir));
    await pondOk(p, 'mknod', 'copy-out', '/mirror', '--config-path', join(dir, 'mirror.yaml'));
    const failed = await pond(p, 'run', '/mirror', 'sideways');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      'Error [INVALID_ARGUMENT]: copy-out takes no arguments but push or pull (got sideways)\n',
    );
    const log = (await pondOk(p, 'log')).stdout;
    const heads = log.split('\n').filter((l) => /^\s+\d+ {2}/.test(l));
    expect(heads.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '1 COMMITTED',
      '2 COMMITTED',
      '3 COMMITTED',
      '4 COMMITTED',
      '5 FAILED',
    ]);
    expect(heads[4]).toContain('pond run /mirror sideways');
    expect(log).toContain(
      'error: [INVALID_ARGUMENT] copy-out takes no arguments but push or pull (got sideways)',
    );
    expect(log).toContain('created: /data/a.txt\n');
    expect(log).toContain('created: /mirror\n');
    expect(log).toMatch(/txn [0-9a-f-]{36} {2}data v3/);
    // the failed run wrote nothing
    expect((await readdir(dir)).includes('mirror')).toBe(false);

    const one = (await pondOk(p, 'log', '--txn-seq', '3')).stdout;
    expect(one.split('\n')[0]).toMatch(/^\s+3 {2}COMMITTED .*pond copy host:\/\//);
    expect((await pondOk(p, 'log', '--limit', '2')).stdout.match(/^\s+\d+ {2}/gm)?.length).toBe(2);
    expect((await pondOk(p, 'log', '--incomplete')).stdout).toBe('');

    // a second copy of the same file versions it
    await pondOk(p, 'copy', `host://${dir}/a.txt`, '/data/a.txt');
    expect((await pondOk(p, 'log', '--limit', '1')).stdout).toContain('versioned: /data/a.txt\n');
  });

  it('hides transactions that changed nothing unless --all', async () => {
    const { p } = await setup();
    await pondOk(p, 'mkdir', '-p', '/a');
    await pondOk(p, 'mkdir', '-p', '/a');
    expect((await pondOk(p, 'log')).stdout.match(/^\s+\d+ {2}/gm)?.length).toBe(2);
    const all = (await pondOk(p, 'log', '--all')).stdout;
    expect(all).toMatch(/^\s+3 {2}COMPLETED .*pond mkdir -p \/a$/m);
  });

  it('recover closes a transaction that began and never ended', async () => {
    const { p } = await setup();
    await pondOk(p, 'mkdir', '/a');
    // What a writer killed between its begin record and its commit leaves behind.
    const control = await Control.open(p);
    await control.append([
      {
        recordType: 'begin',
        txnSeq: 3,
        txnId: '01900000-0000-7000-8000-000000000001',
        txnKind: 'write',
        args: ['mkdir', '/b'],
      },
    ]);
    expect((await pondOk(p, 'log', '--incomplete')).stdout).toMatch(
      /^\s+3 {2}INCOMPLETE .*pond mkdir \/b/,
    );
    expect((await pondOk(p, 'status')).stdout).toContain('run pond recover');
    expect((await pondOk(p, 'recover')).stdout).toBe(
      'txn 3 (pond mkdir /b): never committed, nothing was written; recorded COMPLETED\nRecovered 1 interrupted transaction(s).\n',
    );
    expect((await pondOk(p, 'log', '--incomplete')).stdout).toBe('');
    expect((await pondOk(p, 'recover')).stdout).toBe(
      'Nothing to recover: every transaction ended.\n',
    );
    // the next transaction numbers past the interrupted one
    await pondOk(p, 'mkdir', '/c');
    expect((await pondOk(p, 'log', '--limit', '1')).stdout).toMatch(/^\s+4 {2}COMMITTED/);
  });

  it('recover records COMMITTED when the commit landed but its end record did not', async () => {
    const { p } = await setup();
    const steward = await Steward.open(p);
    // Fault injection: the end record of the next transaction is lost (as if the process
    // died right after the Delta commit).
    const append = steward.control.append.bind(steward.control);
    steward.control.append = async (records) => {
      if (records[0]?.recordType === 'committed') throw new Error('lost');
      return append(records);
    };
    await steward.write(['mkdir', '/b'], (root) => root.mkdir('/b'));
    expect((await pondOk(p, 'log', '--incomplete')).stdout).toMatch(
      /^\s+2 {2}INCOMPLETE .*pond mkdir \/b/,
    );
    const out = (await pondOk(p, 'recover')).stdout;
    expect(out).toBe(
      'txn 2 (pond mkdir /b): committed as data v1; recorded COMMITTED\nRecovered 1 interrupted transaction(s).\n',
    );
    expect((await pondOk(p, 'log')).stdout).toMatch(
      /^\s+2 {2}COMMITTED .*pond mkdir \/b\n.*data v1 {2}closed by pond recover/m,
    );
  });
});

describe('pond run and post-commit factories', () => {
  it('runs a copy-out after each commit, skips it in pull mode, and runs it on demand', async () => {
    const { dir, p } = await setup();
    const mirror = join(dir, 'mirror');
    await pondOk(p, 'mkdir', '-p', '/system/run');
    await pondOk(p, 'mkdir', '/data');
    await writeFile(join(dir, 'mirror.yaml'), mirrorConfig(dir));
    await pondOk(
      p,
      'mknod',
      'copy-out',
      '/system/run/10-mirror',
      '--config-path',
      join(dir, 'mirror.yaml'),
    );
    const copied = await pondOk(p, 'copy', `host://${dir}/a.txt`, '/data/a.txt');
    expect(copied.stderr).toContain('1 written, 0 unchanged');
    expect(await readFile(join(mirror, 'data', 'a.txt'), 'utf8')).toBe('alpha\n');
    const log = (await pondOk(p, 'log', '--all')).stdout;
    expect(log).toMatch(
      /COMPLETED .*post-commit after \d+: pond run \/system\/run\/10-mirror push/,
    );

    expect((await pondOk(p, 'status')).stdout).toContain(
      'Post-commit: /system/run/10-mirror (copy-out, push)',
    );
    await pondOk(p, 'config', 'set', 'factory.copy-out.mode', 'pull');
    expect((await pondOk(p, 'config')).stdout).toContain('factory.copy-out.mode = pull\n');
    await writeFile(join(dir, 'b.txt'), 'beta\n');
    const quiet = await pondOk(p, 'copy', `host://${dir}/b.txt`, '/data/b.txt');
    expect(quiet.stderr).not.toContain('written');
    await expect(readFile(join(mirror, 'data', 'b.txt'))).rejects.toThrow();

    // on demand, by bare name (found under /system/run)
    const ran = await pondOk(p, 'run', '10-mirror', 'pull');
    expect(ran.stdout).toContain('1 written, 1 unchanged');
    expect(await readFile(join(mirror, 'data', 'b.txt'), 'utf8')).toBe('beta\n');
    expect((await pond(p, 'run', 'nothing-here')).stderr).toBe(
      'Error [NOT_FOUND]: no executable node named nothing-here (looked in /system/run, /system/etc)\n',
    );
    expect((await pond(p, 'run', '/data/a.txt')).stderr).toBe(
      'Error [INVALID_ARGUMENT]: /data/a.txt: not an executable factory node (it is a file:physical:version entry)\n',
    );
  });

  it('a failing post-commit run is recorded and never undoes the commit', async () => {
    const { dir, p } = await setup();
    await writeFile(join(dir, 'blocker'), 'a file where the mirror directory should be');
    await pondOk(p, 'mkdir', '-p', '/system/run');
    await writeFile(join(dir, 'bad.yaml'), `pattern: "/**"\ndirectory: ${join(dir, 'blocker')}\n`);
    await pondOk(p, 'mknod', 'copy-out', '/system/run/bad', '--config-path', join(dir, 'bad.yaml'));
    await writeFile(join(dir, 'good.yaml'), `pattern: "/**"\ndirectory: ${join(dir, 'out')}\n`);
    await pondOk(
      p,
      'mknod',
      'copy-out',
      '/system/run/good',
      '--config-path',
      join(dir, 'good.yaml'),
    );
    const r = await pondOk(p, 'copy', `host://${dir}/a.txt`, '/a.txt');
    expect(r.stderr).toContain('post-commit /system/run/bad failed (recorded in pond log)');
    expect(await readFile(join(dir, 'out', 'a.txt'), 'utf8')).toBe('alpha\n');
    expect((await pondOk(p, 'cat', '/a.txt')).stdout).toBe('alpha\n');
    const log = (await pondOk(p, 'log')).stdout;
    expect(log).toMatch(
      /FAILED .*post-commit after \d+: pond run \/system\/run\/bad push\n.*\n\s+error: \[INVALID_ARGUMENT\] copy-out: .*blocker exists and is not a directory/,
    );
  });

  it('runs a factory against the host with no pond', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'src', 'sub'), { recursive: true });
    await writeFile(join(dir, 'src', 'sub', 'x.txt'), 'x\n');
    await writeFile(join(dir, 'cfg.yaml'), `pattern: "/src/**"\ndirectory: out\n`);
    const r = await pondOk(undefined, '-d', dir, 'run', 'host+copy-out:///cfg.yaml');
    expect(r.stdout).toContain('1 written, 0 unchanged');
    expect(await readFile(join(dir, 'out', 'src', 'sub', 'x.txt'), 'utf8')).toBe('x\n');
    expect((await pond(undefined, 'run', 'host+hostmount:///cfg.yaml')).stderr).toBe(
      'Error [INVALID_ARGUMENT]: hostmount is a directory factory, not an executable one\n',
    );
  });

  it('config refuses unknown and fixed keys', async () => {
    const { p } = await setup();
    expect((await pond(p, 'config', 'set', 'identity.pond_id', 'x')).stderr).toContain(
      'cannot set identity.pond_id (identity is fixed at pond init)',
    );
    expect((await pond(p, 'config', 'set', 'factory.copy-out.mode', 'sometimes')).stderr).toBe(
      'Error [INVALID_ARGUMENT]: factory.copy-out.mode: expected push or pull, got sometimes\n',
    );
    expect((await pond(p, 'config', 'set', 'factory.hostmount.mode', 'pull')).stderr).toContain(
      'only executable factories have a mode',
    );
    await pondOk(p, 'config', 'set', 'identity.birthplace', 'pump house');
    expect((await pondOk(p, 'status')).stdout).toMatch(/Created: .* \(pump house\)/);
  });
});

describe('pond maintain', () => {
  it('checkpoints, cleans the log, compacts, and changes no content', async () => {
    const { dir, p } = await setup();
    await pondOk(p, 'mkdir', '/d');
    for (let i = 0; i < 12; i++) {
      await writeFile(join(dir, 'v.txt'), `version ${i}\n`);
      await pondOk(p, 'copy', `host://${dir}/v.txt`, '/d/v.txt');
    }
    const big = Buffer.alloc(100_000, 7);
    await writeFile(join(dir, 'big.bin'), big);
    await pondOk(p, 'copy', `host://${dir}/big.bin`, '/d/big.bin');
    // an orphan left by an aborted transaction
    const orphan = join(p, 'data', '_large_files', `blake3=${'0'.repeat(64)}`);
    await writeFile(orphan, 'orphan');
    const before = {
      list: (await pondOk(p, 'list', '-l', '/**')).stdout,
      fsck: /Root checksum: (\w+)/.exec((await pondOk(p, 'fsck')).stdout)?.[1],
      cat: (await pondOk(p, 'cat', '/d/v.txt')).stdout,
      log: (await pondOk(p, 'log')).stdout,
    };
    const out = (await pondOk(p, 'maintain', '--compact', '--retention', '0')).stdout;
    expect(out).toMatch(
      /^data: version 14 -> \d+, files \d+ -> \d+, .*compacted \d+ files into \d+ in \d+ partitions, vacuumed \d+, removed 1 unreferenced large files \(6 B\); checkpoint at v\d+\n/,
    );
    expect(out).toMatch(/^control: .*commit files \d+ -> 1, .*checkpoint at v\d+\n$/m);
    const show = (await pondOk(p, 'show')).stdout;
    expect(show).toMatch(
      /^Data \(.*\): version \d+, 2 files, .*, 2 partitions, 1 commit files, checkpoint v\d+$/m,
    );
    expect((await pondOk(p, 'list', '-l', '/**')).stdout).toBe(before.list);
    expect((await pondOk(p, 'cat', '/d/v.txt')).stdout).toBe(before.cat);
    expect((await pondOk(p, 'cat', '/d/big.bin')).bytes.equals(big)).toBe(true);
    expect(/Root checksum: (\w+)/.exec((await pondOk(p, 'fsck')).stdout)?.[1]).toBe(before.fsck);
    expect((await pondOk(p, 'log')).stdout).toBe(before.log);
    // and the pond keeps working: the next transaction is numbered after the last
    await pondOk(p, 'mkdir', '/after');
    expect((await pondOk(p, 'log', '--limit', '1')).stdout).toMatch(
      /^\s+16 {2}COMMITTED .*pond mkdir \/after/,
    );
  });
});

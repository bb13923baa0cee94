// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatus } from '../../ts/cli/exit-codes.js';
import { pond, pondOk, tempDir } from '../helpers.js';

describe('pond fsck', () => {
  it('passes a sound pond, names a corrupted large file, passes again once restored', async () => {
    const dir = await tempDir();
    const p = join(dir, 'pond');
    const big = join(dir, 'big.bin');
    await writeFile(big, randomBytes(300_000));
    await writeFile(join(dir, 'small.txt'), 'small');
    await pondOk(p, 'init');
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', `host://${big}`, `host://${dir}/small.txt`, '/a');
    const ok = await pondOk(p, 'fsck');
    expect(ok.stdout).toMatch(
      /Checked \d+ rows: 1 inline contents, 1 large files, 2 directories\nRoot checksum: [0-9a-f]{64}\nResult: OK\n$/,
    );
    const checksum = /Root checksum: (\w+)/.exec(ok.stdout)?.[1];

    const large = join(p, 'data', '_large_files');
    const [name] = (await readdir(large)).filter((n) => n.startsWith('blake3='));
    const file = join(large, name as string);
    await copyFile(file, join(dir, 'saved'));
    const bytes = randomBytes(300_000);
    await writeFile(file, bytes);
    const bad = await pond(p, 'fsck');
    expect(bad.code).toBe(exitStatus('CORRUPT'));
    expect(bad.stdout).toContain(
      `problem: /a/big.bin v1: large file _large_files/${name} does not match recorded blake3`,
    );
    expect(bad.stdout).toContain('Result: 1 problem(s)');
    expect((await pondOk(p, 'fsck', '--quick')).stdout).toContain('Result: OK');

    await copyFile(join(dir, 'saved'), file);
    const again = await pondOk(p, 'fsck', '--verbose');
    expect(again.stdout).toContain('checked /a/small.txt v1');
    expect(/Root checksum: (\w+)/.exec(again.stdout)?.[1]).toBe(checksum);
  });
});

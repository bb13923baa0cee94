// SPDX-License-Identifier: Apache-2.0
/** The CLI as real processes: the bin shim, the write lock, and kill -9 mid-copy. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, pondProcess, REPO, tempDir, waitForLine } from '../helpers.js';

async function sha(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('pond as a process', () => {
  it('runs through bin/pond.js and prints help instantly', async () => {
    const dir = await tempDir();
    const help = await pondProcess(join(dir, 'p'), ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pond');
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
    const shown = await pondProcess(join(dir, 'p'), ['--version']);
    expect([shown.code, shown.stdout]).toEqual([0, `${version}\n`]);
    const init = await pondProcess(join(dir, 'p'), ['init']);
    expect(init.code).toBe(0);
    const missing = await pondProcess(join(dir, 'p'), ['cat', '/nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('Error [NOT_FOUND]: /nope: no such file or directory\n');
  });

  it('refuses a second writer at once, naming the holder', async () => {
    const p = join(await tempDir(), 'p');
    expect((await pondProcess(p, ['init'])).code).toBe(0);
    const holder = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'fixtures', 'hold-lock.mjs'), p],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    await waitForLine(holder, 'holding');
    const started = Date.now();
    const second = await pondProcess(p, ['mkdir', '/x']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(/^Error \[LOCKED\]: pond is locked: .* process \d+/);
    expect(second.stderr).toContain(`process ${holder.pid}`);
    // reads never block on the writer
    expect((await pondProcess(p, ['list'])).code).toBe(0);
    holder.stdin?.end();
    await new Promise((resolve) => holder.on('exit', resolve));
    expect((await pondProcess(p, ['mkdir', '/x'])).code).toBe(0);
    expect((await pondProcess(p, ['list'])).stdout).toContain('/held');
  });

  it('survives kill -9 mid-copy; copies 100 MB in and out intact, stored once', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p');
    const big = join(dir, 'big.bin');
    await writeFile(big, randomBytes(100 * 1024 * 1024));
    expect((await pondProcess(p, ['init'])).code).toBe(0);
    expect((await pondProcess(p, ['mkdir', '/keep'])).code).toBe(0);
    const before = (await pondProcess(p, ['list', '-l'])).stdout;
    const copy = spawn(process.execPath, [BIN, 'copy', `host://${big}`, '/big'], {
      env: { ...process.env, POND: p },
      stdio: 'ignore',
    });
    const largeDir = join(p, 'data', '_large_files');
    for (let i = 0; i < 400; i++) {
      const names = await readdir(largeDir).catch(() => [] as string[]);
      if (names.some((n) => n.startsWith('.tmp-'))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    copy.kill('SIGKILL');
    await new Promise((resolve) => copy.on('exit', resolve));
    expect((await pondProcess(p, ['list', '-l'])).stdout).toBe(before);
    // the lock died with the writer; the same copy now succeeds
    expect((await pondProcess(p, ['copy', `host://${big}`, '/big'])).code).toBe(0);
    const out = join(dir, 'out');
    expect((await pondProcess(p, ['copy', '/big', `host://${out}`])).code).toBe(0);
    expect(await sha(join(out, 'big'))).toBe(await sha(big));
    const stored = async () => (await readdir(largeDir)).filter((n) => n.startsWith('blake3='));
    expect(await stored()).toHaveLength(1);
    expect((await pondProcess(p, ['copy', `host://${big}`, '/big-again'])).code).toBe(0);
    expect(await stored()).toHaveLength(1);
  });
});

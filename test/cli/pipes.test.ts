// SPDX-License-Identifier: Apache-2.0
/**
 * `pond ... | head`: a reader that closes stdout early ends the command quietly with
 * status 0, and stops the query. The queries here would run for hours if they were not
 * stopped, so a hang is the failure; the tests wait on process events, never on time.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../ts/cli/main.js';
import { BIN, pondOk } from '../helpers.js';
import { suiteDir } from './suite.js';

/** Hours of rows on any machine: only a closed stdout can end it in time. */
const ENDLESS = 'SELECT value, value * 2 AS twice FROM generate_series(1, 1000000000000)';

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  read: number;
}

/** Run `pond ARGS`, read its first chunk of stdout, then close the pipe, as `head` does. */
function readThenClose(args: string[], pond?: string): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    if (pond === undefined) delete env.POND;
    else env.POND = pond;
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let read = 0;
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      read = chunk.length;
      child.stdout.destroy();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

function expectQuiet(r: Closed): void {
  expect(r.read).toBeGreaterThan(0);
  expect(r.stderr).toBe('');
  expect(r.signal).toBeNull();
  expect(r.code).toBe(0);
}

describe('a closed stdout', () => {
  it.each(['csv', 'json', 'table', 'raw'])('stops pond sql --format %s, exit 0', async (format) => {
    expectQuiet(await readThenClose(['sql', ENDLESS, '--format', format]));
  });

  describe('on a pond', () => {
    let p: string;
    beforeAll(async () => {
      const dir = await suiteDir('pond-pipes-');
      p = join(dir, 'pond');
      const many = join(dir, 'many');
      await mkdir(many);
      // Enough list lines to overflow a pipe's buffer, so the writer does meet EPIPE.
      for (let i = 0; i < 1500; i++) await writeFile(join(many, `file-${i}.txt`), `${i}\n`);
      await writeFile(join(dir, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 'x'));
      await pondOk(p, 'init');
      await pondOk(p, 'copy', `host://${many}`, `host://${dir}/big.bin`, '/');
    }, 300_000);

    it('pond cat BIG | head -c 10', async () => {
      expectQuiet(await readThenClose(['cat', '/big.bin'], p));
    });

    it('pond list | head -3', async () => {
      expectQuiet(await readThenClose(['list'], p));
      expectQuiet(await readThenClose(['list', '--format', 'json'], p));
    });

    it('pond describe | head -1', async () => {
      expectQuiet(await readThenClose(['describe', '/many/*'], p));
    });
  });

  it('in-process: a destroyed stdout ends run() with 0 and stops pulling rows', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let errors = '';
    stderr.on('data', (c: Buffer) => {
      errors += c.toString();
    });
    stdout.once('data', () => stdout.destroy());
    const env = { ...process.env };
    delete env.POND;
    const code = await run(['sql', ENDLESS, '--format', 'csv'], {
      stdout,
      stderr,
      env,
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    expect(errors).toBe('');
  });
});

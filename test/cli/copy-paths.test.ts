// SPDX-License-Identifier: Apache-2.0
/** `pond copy` destinations and sources: trailing slashes, host to host, non-regular files. */

import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { listedPaths, pond, pondAndHost, pondOk } from '../helpers.js';

let p: string;
let host: string;

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
  await writeFile(join(host, 'f'), 'hi\n');
});

/** The code of a CLI failure, from its `Error [CODE]` line. */
const codeIn = (stderr: string) => /^Error \[([A-Z_]+)\]/.exec(stderr)?.[1];

describe('copy destinations', () => {
  it('a pond destination ending in / is a directory, created when missing', async () => {
    await pondOk(p, 'copy', `host://${join(host, 'f')}`, '/newdir/');
    const list = await pondOk(p, 'list', '/**');
    expect(listedPaths(list.stdout)).toEqual(['/newdir', '/newdir/f']);
    expect(list.stdout).toMatch(/^\[DIR\].*\/newdir$/m);
  });

  it('a host destination ending in / is a directory, created when missing', async () => {
    await pondOk(p, 'copy', `host://${join(host, 'f')}`, '/a.txt');
    await pondOk(p, 'copy', '/a.txt', `host://${join(host, 'out', 'sub')}/`);
    expect(await readdir(join(host, 'out', 'sub'))).toEqual(['a.txt']);
  });

  it('refuses host to host with a code', async () => {
    const r = await pond(p, 'copy', `host://${join(host, 'f')}`, `host://${join(host, 'g')}`);
    expect(codeIn(r.stderr)).toBe('INVALID_ARGUMENT');
    expect(r.code).not.toBe(0);
  });

  it('refuses a fifo source instead of hanging on it', async () => {
    execFileSync('mkfifo', [join(host, 'fifo')]);
    const r = await pond(p, 'copy', `host://${join(host, 'fifo')}`, '/b');
    expect(codeIn(r.stderr)).toBe('INVALID_ARGUMENT');
  });

  it('finishes with an error when the host directory cannot be made (/proc)', async () => {
    await pondOk(p, 'copy', `host://${join(host, 'f')}`, '/a.txt');
    const r = await pond(p, '-d', '/', 'copy', '/a.txt', 'host:///proc/pond-x');
    expect(codeIn(r.stderr)).toBe('NOT_FOUND');
  }, 15_000);
});

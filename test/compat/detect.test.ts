// SPDX-License-Identifier: Apache-2.0
/**
 * Telling an original pond from a native one, also after log cleanup removed the control
 * table's first commit, and reading an original oplog whose early commits survive only in
 * a checkpoint (REFERENCE-ORIGINAL §6.7 step 1).
 */
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOriginalPond } from '../../ts/compat/detect.js';
import { pondAndHost, pondOk, tempDir } from '../helpers.js';
import { type Fixture, LOG_LINES, makeFixture, PATHS } from './fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await makeFixture();
  process.env.XDG_CACHE_HOME = fx.cache;
}, 600_000);

afterAll(async () => {
  await fx?.remove();
});

const FIRST = '00000000000000000000.json';

async function copyOf(pond: string): Promise<string> {
  const copy = join(await tempDir(), 'pond');
  await cp(pond, copy, { recursive: true });
  return copy;
}

describe('detecting an original pond', () => {
  it("reads the control table's first commit, else a control file's footer", async () => {
    expect(await isOriginalPond(fx.pond)).toBe(true);
    const cleaned = await copyOf(fx.pond);
    await rm(join(cleaned, 'control', '_delta_log', FIRST));
    expect(await isOriginalPond(cleaned)).toBe(true);
    expect((await pondOk(cleaned, 'cat', PATHS.log)).stdout).toBe(LOG_LINES.join(''));
  });

  it('leaves native ponds native, also after maintenance cleaned their logs', async () => {
    const { p } = await pondAndHost();
    expect(await isOriginalPond(p)).toBe(false);
    for (let i = 0; i < 3; i++) await pondOk(p, 'mkdir', `/d${i}`);
    await pondOk(p, 'maintain');
    // What log cleanup does once the retention period passed: the commits before the
    // newest checkpoint go.
    const log = join(p, 'control', '_delta_log');
    const names = await readdir(log);
    const checkpoint = names
      .filter((n) => n.endsWith('.checkpoint.parquet'))
      .sort()
      .pop();
    expect(checkpoint).toBeDefined();
    for (const name of names) {
      if (name.endsWith('.json') && name < (checkpoint as string)) await rm(join(log, name));
    }
    expect(await readdir(log)).not.toContain(FIRST);
    expect(await isOriginalPond(p)).toBe(false);
    await pondOk(p, 'mkdir', '/after');
  });
});

describe('an original oplog read from its checkpoint', () => {
  it('lists and reads the same without the commits the checkpoint replaced', async () => {
    const copy = await copyOf(fx.pond);
    const log = join(copy, 'data', '_delta_log');
    const names = await readdir(log);
    expect(names).toContain('00000000000000000009.checkpoint.parquet');
    for (const name of names) {
      if (/^0{18}0\d\.json$/.test(name)) await rm(join(log, name));
    }
    const full = await pondOk(fx.pond, 'list', '-l', '/**');
    expect((await pondOk(copy, 'list', '-l', '/**')).stdout).toBe(full.stdout);
    expect((await pondOk(copy, 'cat', PATHS.log)).stdout).toBe(LOG_LINES.join(''));
    const sql = `SELECT count(*) AS n FROM '${PATHS.dock}'`;
    expect((await pondOk(copy, 'sql', sql)).stdout).toBe('n\n21\n');
  });
});

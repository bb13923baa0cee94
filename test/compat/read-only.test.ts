// SPDX-License-Identifier: Apache-2.0
/**
 * A pond written by the original DuckPond is never written: every write command refuses
 * with READ_ONLY, naming the pond and `pond import-original`, and after a battery of
 * writes and reads every file of the pond is byte-identical (same names, sizes, hashes and
 * modification times; nothing added). What pond derives (de-chunked large files, caches)
 * goes under the user's cache directory instead.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PondError } from '../../ts/errors.js';
import { blake3Hex } from '../../ts/native/store.js';
import { Pond } from '../../ts/pond.js';
import { hostConfig, pond, pondOk, readingsSql, tempDir, writeParquet } from '../helpers.js';
import { BIG_V1, BIG_V2, type Fixture, fingerprint, makeFixture, PATHS } from './fixture.js';

let fx: Fixture;
let before: Map<string, string>;

beforeAll(async () => {
  fx = await makeFixture();
  process.env.XDG_CACHE_HOME = fx.cache;
  before = await fingerprint(fx.pond);
}, 600_000);

afterAll(async () => {
  await fx?.remove();
});

async function writeCommands(host: string): Promise<string[][]> {
  const file = join(host, 'in.txt');
  await writeFile(file, 'new bytes\n');
  const parquet = join(host, 'day.parquet');
  await writeParquet(parquet, readingsSql('2024-02-01T00:00:00Z', 10));
  const config = await hostConfig(
    host,
    't',
    `patterns:\n  source: ${PATHS.readings}\nquery: SELECT * FROM source\n`,
  );
  const apply = await hostConfig(
    host,
    'apply',
    'version: v1\nkind: mkdir\nmetadata:\n  path: /applied\nspec: {}\n',
  );
  return [
    ['mkdir', '/x'],
    ['mkdir', '-p', '/a/b/c'],
    ['copy', `host://${file}`, '/a/new.txt'],
    ['copy', `host://${file}`, PATHS.hello],
    ['copy', `host+series://${parquet}`, PATHS.dock],
    ['copy', `host+table://${parquet}`, '/data/new.table'],
    ['mknod', 'sql-derived-table', '/t', config],
    ['mknod', 'sql-derived-series', PATHS.derived, config, '--overwrite'],
    ['rm', PATHS.hello],
    ['rm', '-r', '/a'],
    ['mv', '/a', '/z'],
    ['ln', '-s', PATHS.hello, '/link'],
    ['apply', '-f', apply],
    ['run', PATHS.views],
    ['run', 'mirror'],
    ['maintain'],
    ['maintain', '--compact'],
    ['recover'],
    ['config', 'set', 'factory.copy-out.mode', 'pull'],
    ['backup', 'add', 'site', `file://${join(host, 'backup')}`],
    ['remote', 'add', 'lab', `file://${join(host, 'remote')}`, '/imports/lab'],
    ['remote', 'remove', 'lab'],
    ['push'],
    ['pull'],
    ['set-temporal-bounds', PATHS.dock, '--min-time', '2024-01-01'],
    ['set-temporal-bounds', PATHS.spare, '--clear'],
  ];
}

const READS = [
  ['list', '-l', '-a', '/**'],
  ['cat', PATHS.hello],
  ['cat', PATHS.big, '--version', '1'],
  ['cat', PATHS.log],
  ['cat', PATHS.readings, '--format', 'csv'],
  ['sql', `SELECT count(*) FROM '${PATHS.dock}'`],
  ['sql', `SELECT * FROM '${PATHS.derived}'`],
  ['sql', `SELECT * FROM '${PATHS.viewCount}'`],
  ['sql', `SELECT * FROM '${PATHS.rollup}'`],
  ['rebuild', PATHS.reduced],
  ['sql', `SELECT * FROM 'csv://${PATHS.hello}'`],
  ['describe', '/a/**'],
  ['describe', PATHS.dock],
  ['history', PATHS.big],
  ['diff', '5'],
  ['log'],
  ['detect-overlaps', '/hydrovu/devices/*/*.series'],
  ['status'],
  ['show'],
  ['config'],
];

describe('an original pond', () => {
  it('refuses every write with READ_ONLY and reads without writing a byte', async () => {
    const host = await tempDir();
    for (const args of await writeCommands(host)) {
      const result = await pond(fx.pond, ...args);
      expect({ args, code: result.code, error: result.stderr.split(':')[0] }).toEqual({
        args,
        code: 1,
        error: 'Error [READ_ONLY]',
      });
      expect(result.stderr).toContain(`${fx.pond} was written by the original DuckPond`);
      expect(result.stderr).toContain(`pond import-original ${fx.pond} DEST`);
    }
    const out = await tempDir();
    for (const args of READS) await pondOk(fx.pond, ...args);
    await pondOk(fx.pond, 'copy', '/a/**', PATHS.dock, `host://${out}/`);
    expect(await fingerprint(fx.pond)).toEqual(before);
  });

  it('refuses init, fsck and library writes, leaving it as it was', async () => {
    const init = await pond(fx.pond, 'init');
    expect([init.code, init.stderr.split(':')[0]]).toEqual([5, 'Error [ALREADY_EXISTS]']);
    const fsck = await pond(fx.pond, 'fsck');
    expect([fsck.code, fsck.stderr.split(':')[0]]).toEqual([1, 'Error [INVALID_ARGUMENT]']);
    expect(fsck.stderr).toContain('import-original');
    const original = await Pond.open(fx.pond);
    const backup = `file://${await tempDir()}`;
    const attempts = [
      () => original.transaction((tx) => tx.write('/n.txt', 'x')),
      () => original.setSetting('k', 'v'),
      () => original.maintain(),
      () => original.recover(),
      () => original.push(),
      () => original.addBackup('b', backup),
    ];
    for (const attempt of attempts) {
      const err = await attempt().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PondError);
      expect((err as PondError).code).toBe('READ_ONLY');
    }
    expect(await fingerprint(fx.pond)).toEqual(before);
  });

  it("keeps what it derives in the user's cache directory, outside the pond", async () => {
    await pondOk(fx.pond, 'cat', PATHS.big);
    await pondOk(fx.pond, 'cat', PATHS.big, '--version', '1');
    await pondOk(fx.pond, 'sql', `SELECT count(*) FROM '${PATHS.readings}'`);
    await pondOk(fx.pond, 'sql', `SELECT count(*) FROM '${PATHS.rollup}'`);
    await pondOk(fx.pond, 'sql', `SELECT count(*) FROM '${PATHS.many}'`);
    const [dir] = await readdir(join(fx.cache, 'duckpond', 'original'));
    expect(dir).toMatch(new RegExp(`^${fx.info.pond_id}-[0-9a-f]{16}$`));
    const derived = join(fx.cache, 'duckpond', 'original', dir as string);
    const large = await readdir(join(derived, 'data', '_large_files'));
    // Both versions of the large file, and the large table version.
    expect(large).toHaveLength(3);
    expect(large).toEqual(
      expect.arrayContaining([BIG_V1(), BIG_V2()].map((bytes) => `blake3=${blake3Hex(bytes)}`)),
    );
    expect(large.every((n) => /^blake3=[0-9a-f]{64}$/.test(n))).toBe(true);
    expect((await readdir(join(derived, 'cache'))).sort()).toEqual(
      expect.arrayContaining(['inline', 'rollups']),
    );
    expect(await fingerprint(fx.pond)).toEqual(before);
  });
});

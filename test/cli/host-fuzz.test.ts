// SPDX-License-Identifier: Apache-2.0
// A seeded fuzz of host paths and URLs: `..`, `%2e%2e`, `%2f`, NUL, empty segments, unicode,
// glob and YAML-ish characters, very long names, absolute and relative mixes. Fed to the
// resolver and through the CLI (copy in and out, list, cat, SQL, hostmount by flag and by
// mknod) under `-d ROOT`. Invariants: every failure is a PondError with a code; the
// sentinel outside the root is never returned nor changed; nothing appears outside the
// root; a failed command leaves the pond as it was.
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { Store } from '../../ts/native/store.js';
import { parseUrl } from '../../ts/query/url.js';
import { Steward } from '../../ts/steward/steward.js';
import { hostConfigPath, hostUrlPath, isInside } from '../../ts/tinyfs/host-path.js';
import { readContent } from '../../ts/tinyfs/node.js';
import { collect } from '../../ts/tinyfs/persistence.js';
import { prng } from '../fuzz.js';
import { pondOk, tempDir } from '../helpers.js';
import { pondCoded } from './coded.js';

const SENTINEL = 'SENTINEL-5f3a';

const ATOMS = [
  ...['..', '..', '.', '', '%2e%2e', '%2E%2e', '.%2e', '%2f', '..%2f..', '%00', '\0', '%', '%zz'],
  ...['in', 'in', 'sub', 'esc', 'a.csv', 'b.txt', 'link.csv', 'secret.csv', 'outside', 'mnt'],
  ...['ünïcode', '日本', '💧', '#', '{', '}', '*', '**', '?', '[', ']', '[a-z]', '~', ' ', '\\'],
  ...['x'.repeat(300), 'y'.repeat(80), '...', '${env:HOME}', "'", '"', ':', '?x=1', '*.csv'],
];

/** A path-like string: atoms joined by `/`, sometimes absolute, sometimes with `//`. */
function pathOf(rand: () => number): string {
  const n = Math.floor(rand() * 6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(ATOMS[Math.floor(rand() * ATOMS.length)] as string);
  const sep = rand() < 0.1 ? '//' : '/';
  const text = parts.join(sep);
  return rand() < 0.7 ? `/${text}` : text;
}

/** A host URL path: raw, or with each segment %-encoded (so it means what it says). */
function urlOf(rand: () => number, path: string): string {
  const p = rand() < 0.3 ? path.split('/').map(encodeURIComponent).join('/') : path;
  return p.startsWith('/') ? p : `/${p}`;
}

function expectCoded(err: unknown, what: string): void {
  if (!(err instanceof PondError)) {
    throw new Error(`${what}: not a PondError: ${err instanceof Error ? err.stack : String(err)}`);
  }
  expect(Object.values(ErrorCode)).toContain(err.code);
}

/** The oplog's Delta version: unchanged means nothing was committed. */
async function dataVersion(pond: string): Promise<number> {
  return (await Store.open(pond)).version;
}

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const st = await lstat(join(dir, name));
    const body = st.isFile() ? await readFile(join(dir, name), 'utf8') : '';
    out.push(`${name} ${st.mode} ${st.size} ${st.mtimeMs} ${body}`);
  }
  return out;
}

describe('host path fuzz', () => {
  it('resolves or refuses 1000 generated paths, never leaving the root', () => {
    const rand = prng(0x5eed);
    const root = '/srv/pond-root';
    for (let i = 0; i < 1000; i++) {
      const path = pathOf(rand);
      for (const [name, resolve] of [
        ['url', () => hostUrlPath(root, path)],
        ['config', () => hostConfigPath(root, path)],
        ['parsed url', () => hostUrlPath(root, parseUrl(`host+csv://${urlOf(rand, path)}`).path)],
      ] as const) {
        try {
          const got = resolve();
          expect(isInside(root, got), `${name} ${JSON.stringify(path)} -> ${got}`).toBe(true);
          expect(got.includes('\0')).toBe(false);
        } catch (err) {
          expectCoded(err, `${name} ${JSON.stringify(path)}`);
        }
      }
    }
  });

  it('keeps every CLI command inside -d, coded on failure, the pond unchanged', async () => {
    const dir = await tempDir();
    const root = join(dir, 'root');
    const outside = join(dir, 'outside');
    const p = join(dir, 'p');
    await mkdir(join(root, 'in', 'sub'), { recursive: true });
    await mkdir(join(root, 'cfg'));
    await mkdir(outside);
    await writeFile(join(root, 'in', 'a.csv'), 'x,y\n1,2\n');
    await writeFile(join(root, 'in', 'sub', 'b.txt'), 'b\n');
    await writeFile(join(outside, 'secret.csv'), `s\n${SENTINEL}\n`);
    await symlink(outside, join(root, 'esc'));
    await symlink(join(outside, 'secret.csv'), join(root, 'in', 'link.csv'));
    await pondOk(p, 'init');
    await pondOk(p, 'mkdir', '/fz');
    await pondOk(p, 'copy', `host://${root}/in/a.csv`, '/fz/a.csv');
    const outsideBefore = await snapshot(outside);
    const d = ['-d', root];

    const rand = prng(0xd1ce);
    let version = await dataVersion(p);
    let commands = 0;
    let failures = 0;
    const run = async (pondDir: string | undefined, args: string[]) => {
      commands++;
      const r = await pondCoded(pondDir, ...args);
      const what = args.map((a) => JSON.stringify(a)).join(' ');
      expect(r.stdout, what).not.toContain(SENTINEL);
      expect(r.stderr, what).not.toContain(SENTINEL);
      if (r.error !== null) {
        failures++;
        expectCoded(r.error, what);
      }
      if (pondDir !== undefined) {
        const now = await dataVersion(p);
        if (r.error !== null) expect(now, `pond changed by failed ${what}`).toBe(version);
        version = now;
      }
      return r;
    };

    for (let i = 0; i < 80; i++) {
      const url = urlOf(rand, pathOf(rand));
      await run(p, [...d, 'copy', `host://${url}`, '/fz']);
      await run(undefined, [...d, 'cat', `host://${url}`]);
      await run(undefined, [...d, 'list', `host://${url}`]);
      await run(undefined, [...d, 'sql', `SELECT * FROM 'host+csv://${url}'`, '--format', 'csv']);
      await run(p, [...d, 'copy', '/fz/a.csv', `host://${url}`]);
    }
    for (let i = 0; i < 80; i++) {
      const path = pathOf(rand);
      const base = pathOf(rand).startsWith('/') ? root : outside;
      const directory = rand() < 0.4 ? path : rand() < 0.5 ? `${base}${path}` : `${root}/${path}`;
      await writeFile(join(root, 'cfg', `m${i}.yaml`), `directory: ${JSON.stringify(directory)}\n`);
      const mount = ['--hostmount', `/m=host+hostmount:///cfg/m${i}.yaml`];
      await run(undefined, [...d, ...mount, 'list', '/m/**']);
      await run(undefined, [...d, ...mount, 'cat', '/m/secret.csv']);
      await run(undefined, [...d, '--hostmount', `/m=${directory}`, 'cat', '/m/secret.csv']);
    }
    for (let i = 0; i < 20; i++) {
      const directory = rand() < 0.5 ? pathOf(rand) : `${outside}${pathOf(rand)}`;
      const cfg = join(root, 'cfg', `n${i}.yaml`);
      await writeFile(cfg, `directory: ${JSON.stringify(directory)}\n`);
      const made = await run(p, ['mknod', 'hostmount', `/hm${i}`, '--config-path', cfg]);
      if (made.error === null) {
        await run(p, [...d, 'list', `/hm${i}/**`]);
        await run(p, [...d, 'cat', `/hm${i}/secret.csv`]);
      }
    }

    // What came into the pond is never the sentinel.
    const reader = await (await Steward.open(p)).reader();
    let copiedIn = 0;
    for await (const { np } of reader.glob('/fz/**')) {
      if (np.node.kind !== 'file') continue;
      copiedIn++;
      const bytes = await collect(readContent(np.node));
      expect(new TextDecoder().decode(bytes), np.path).not.toContain(SENTINEL);
    }
    expect(copiedIn).toBeGreaterThan(1);
    expect(await snapshot(outside)).toEqual(outsideBefore);
    expect((await readdir(dir)).sort()).toEqual(['outside', 'p', 'root']);
    expect(commands).toBeGreaterThan(600);
    expect(failures).toBeGreaterThan(0);
  }, 300_000);
});

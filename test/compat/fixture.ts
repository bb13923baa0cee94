// SPDX-License-Identifier: Apache-2.0
/**
 * The original-pond fixture (test/fixtures/original-pond/write_original_pond.py, run with
 * the test venv's Python) and what the tests know of its content, plus a fingerprint of
 * every file under a directory, to show a pond was left byte-identical.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers.js';

export const WRITER = join(REPO, 'test', 'fixtures', 'original-pond', 'write_original_pond.py');

/** What the writer reports. */
export interface FixtureInfo {
  readonly pond_id: string;
  readonly data_version: number;
  readonly last_seq: number;
}

/** A temp directory holding `pond/` (the fixture) and `cache/` (XDG_CACHE_HOME). */
export interface Fixture {
  readonly dir: string;
  readonly pond: string;
  readonly cache: string;
  readonly info: FixtureInfo;
  remove(): Promise<void>;
}

let python: string | undefined;

function venvPython(): string {
  python ??= execFileSync('bash', [join(REPO, 'scripts', 'python-tools.sh')], {
    encoding: 'utf8',
  }).trim();
  return python;
}

/**
 * Write the fixture pond into a fresh temp directory; with `crossPond`, with another
 * pond's root mounted at /lab as the original's cross-pond imports are.
 */
export async function makeFixture(options: { crossPond?: boolean } = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'pond-original-'));
  const pond = join(dir, 'pond');
  const args = [WRITER, pond, ...(options.crossPond ? ['--cross-pond'] : [])];
  const out = execFileSync(venvPython(), args, { encoding: 'utf8' });
  return {
    dir,
    pond,
    cache: join(dir, 'cache'),
    info: JSON.parse(out) as FixtureInfo,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The bytes the writer's `deterministic_bytes(label, size)` makes (SHAKE-256). */
export function deterministicBytes(label: string, size: number): Buffer {
  return createHash('shake256', { outputLength: size }).update(label).digest();
}

/** Paths of the fixture, as the tests name them. */
export const PATHS = {
  hello: '/a/b/hello.txt',
  big: '/a/big.bin',
  latest: '/latest',
  log: '/logs/app.log',
  readings: '/data/readings.table',
  many: '/data/many.table',
  dock: '/hydrovu/devices/6582334/DockVulink_active.series',
  spare: '/hydrovu/devices/6582334/SpareAT500_active.series',
  derived: '/derived/dock.series',
  views: '/views',
  viewCount: '/views/dock-count',
  mirror: '/system/run/mirror',
  reduced: '/reduced',
  rollup: '/reduced/dock-6582334/res=6h.series',
} as const;

export const HELLO_V1 = 'hello, original pond\n';
export const HELLO_V2 = 'hello again, second version\n';
export const BIG_V1 = () => deterministicBytes('big-v1', 16 * 1024 * 1024 + 4 * 1024 * 1024 + 123);
export const BIG_V2 = () => deterministicBytes('big-v2', 70_000);
export const LOG_LINES = [
  'line 1: started\n',
  'line 2: running\n',
  'line 3: still running\n',
  'line 4: collapsed\n',
  'line 5: after the collapse\n',
];

/** Every file and directory under `root` with its size and SHA-256 (directories: '-'). */
export async function fingerprint(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.set(name, '-');
        await walk(path, name);
      } else {
        const bytes = await readFile(path);
        const { mtimeMs } = await stat(path);
        out.set(
          name,
          `${bytes.length} ${createHash('sha256').update(bytes).digest('hex')} ${mtimeMs}`,
        );
      }
    }
  };
  await walk(root, '');
  return out;
}

// SPDX-License-Identifier: Apache-2.0
/** Values expanded from `${env:...}` never reach the pond's storage, its log, errors or
 * output; an env value cannot change a config's structure; huge configs fail fast. */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, Pond, PondError } from '../../ts/index.js';
import { hostConfig, pond, pondAndHost, pondOk } from '../helpers.js';

/** A number, as in the issue: textual expansion made it a YAML number, then printed it. */
const SECRET = '842220420';
const SECRET_NAME = 'secret-e5f1c9a7';

let p = '';
let host = '';
const saved = new Map<string, string | undefined>();

function setEnv(name: string, value: string): void {
  if (!saved.has(name)) saved.set(name, process.env[name]);
  process.env[name] = value;
}

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
  setEnv('POND_SECRET', SECRET);
});

afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved.clear();
});

const config = (name: string, text: string): Promise<string> => hostConfig(host, name, text);

/** Every file under the pond directory that holds `needle`'s bytes. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) out.push(file);
  }
  return out;
}

/** Assert `secret` is nowhere in the texts, the pond's log or its files. */
async function expectHidden(secret: string, ...texts: string[]): Promise<void> {
  for (const text of texts) expect(text).not.toContain(secret);
  expect((await pondOk(p, 'log', '--all')).stdout).not.toContain(secret);
  const pondDb = await Pond.open(p);
  expect(JSON.stringify(await pondDb.transactions())).not.toContain(secret);
  expect(await filesHolding(p, secret)).toEqual([]);
}

function everything(err: unknown): string {
  expect(err).toBeInstanceOf(PondError);
  const e = err as PondError;
  return `${e.message}\n${e.stack ?? ''}\n${e.path ?? ''}\n${String(e.cause ?? '')}`;
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<PondError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PondError);
    return err as PondError;
  }
  throw new Error('expected a rejection');
}

describe('secrets stay out of errors, the log and storage', () => {
  it('an env value that looks like a number is a string, stored and shown nowhere', async () => {
    const cfg = await config('hm', 'directory: ${env:POND_SECRET}\n');
    const made = await pondOk(p, 'mknod', 'hostmount', '/mnt', cfg);
    await expectHidden(SECRET, made.stdout, made.stderr);
  });

  it('a schema error about an env value names the variable: CLI, library, log', async () => {
    const cfg = await config(
      'co',
      'pattern: "/x/**"\ndirectory: /tmp\ndelete: ${env:POND_SECRET}\n',
    );
    const failed = await pond(p, 'mknod', 'copy-out', '/co', cfg);
    expect(failed.code).not.toBe(0);
    const lib = await Pond.open(p);
    const err = await rejection(
      lib.transaction((tx) =>
        tx.mknod(
          '/co',
          'copy-out',
          'pattern: /x\ndirectory: ${env:POND_SECRET}/d\ndelete: ${env:POND_SECRET}\n',
        ),
      ),
    );
    expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(await lib.list('/*')).toEqual([]);
    await expectHidden(SECRET, failed.stdout, failed.stderr, everything(err));
  });

  it('cat, copy and describe of executable and transform nodes show the stored text', async () => {
    const secretDir = join(host, SECRET_NAME);
    setEnv('POND_SECRET_DIR', secretDir);
    const mirror = 'pattern: "/data/**"\ndirectory: ${env:POND_SECRET_DIR}  # the mirror\n';
    const rename = 'rules:\n  - type: direct\n    from: ${env:POND_SECRET}\n    to: b\n';
    await pondOk(p, 'mkdir', '-p', '/tools');
    await pondOk(p, 'mknod', 'copy-out', '/tools/mirror', await config('m', mirror));
    await pondOk(p, 'mknod', 'column-rename', '/tools/rename', await config('r', rename));
    expect((await pondOk(p, 'cat', '/tools/mirror')).stdout).toBe(mirror);
    expect((await pondOk(p, 'cat', '/tools/rename')).stdout).toBe(rename);
    const out = join(host, 'out');
    const copied = await pondOk(p, 'copy', '/tools/*', `host://${out}`);
    expect(await readFile(join(out, 'tools', 'mirror'), 'utf8')).toBe(mirror);
    expect(await readFile(join(out, 'tools', 'rename'), 'utf8')).toBe(rename);
    const described = await pondOk(p, 'describe', '/tools/*');
    const lib = await Pond.open(p);
    expect(new TextDecoder().decode(await lib.read('/tools/mirror'))).toBe(mirror);
    await expectHidden(SECRET, copied.stdout, copied.stderr, described.stdout);
    await expectHidden(SECRET_NAME, copied.stdout, copied.stderr, described.stdout);
  });

  it('pond run and post-commit runs print and record no env value', async () => {
    const secretDir = join(host, SECRET_NAME);
    setEnv('POND_SECRET_DIR', secretDir);
    const text = 'pattern: "/data/**"\ndirectory: ${env:POND_SECRET_DIR}\n';
    await pondOk(p, 'mkdir', '-p', '/system/run');
    await pondOk(p, 'mkdir', '-p', '/data');
    const made = await pondOk(
      p,
      'mknod',
      'copy-out',
      '/system/run/10-mirror',
      await config('m', text),
    );
    const copied = await pondOk(p, 'copy', `host://${await config('x', 'x: 1\n')}`, '/data/x.yaml');
    expect(await readFile(join(secretDir, 'data', 'x.yaml'), 'utf8')).toBe('x: 1\n');
    const ran = await pondOk(p, 'run', '/system/run/10-mirror');

    // Now the directory is a host file: every run fails, naming the path it refuses.
    await rm(secretDir, { recursive: true });
    await writeFile(secretDir, 'a file');
    const failedRun = await pond(p, 'run', '/system/run/10-mirror');
    expect(failedRun.code).not.toBe(0);
    const postCommit = await pondOk(
      p,
      'copy',
      `host://${await config('y', 'y: 1\n')}`,
      '/data/y.yaml',
    );
    const lib = await Pond.open(p);
    const err = await rejection(lib.run('/system/run/10-mirror'));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
    const outputs = [made, copied, ran, failedRun, postCommit].flatMap((r) => [r.stdout, r.stderr]);
    await expectHidden(SECRET_NAME, ...outputs, everything(err));
  });

  it('a hostmount of a missing env directory fails NOT_FOUND without its path', async () => {
    setEnv('POND_SECRET_DIR', join(host, SECRET_NAME));
    await pondOk(
      p,
      'mknod',
      'hostmount',
      '/mnt',
      await config('hm', 'directory: ${env:POND_SECRET_DIR}\n'),
    );
    const lib = await Pond.open(p);
    const err = await rejection(lib.list('/mnt/**'));
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
    const listed = await pond(p, 'list', '/mnt/*');
    const described = await pond(p, 'describe', '/mnt');
    const catted = await pond(p, 'cat', '/mnt/a.txt');
    const written = await pond(p, 'copy', `host://${await config('x', 'x\n')}`, '/mnt/x');
    for (const r of [listed, described, catted, written]) expect(r.code).not.toBe(0);
    const outputs = [listed, described, catted, written].flatMap((r) => [r.stdout, r.stderr]);
    await expectHidden(SECRET_NAME, ...outputs, everything(err));
  });

  it('queries of host files under an env directory hide it: errors, warnings, explain', async () => {
    const dir = join(host, SECRET_NAME);
    await mkdir(dir);
    await writeFile(join(dir, 'bad.csv'), 'a,b\n1,2\n"unterminated\n');
    await writeFile(join(dir, 'access.log'), 'not a web log line\n');
    setEnv('POND_SECRET_DIR', dir);
    const csv = await config(
      'c',
      'patterns:\n  source: "host+csv://${env:POND_SECRET_DIR}/*.csv"\n',
    );
    const log = await config(
      'w',
      'patterns:\n  source: "host+weblog://${env:POND_SECRET_DIR}/*.log"\n',
    );
    // mknod plans the query: its failure (and the FAILED transaction it records) hides the dir
    const checked = await pond(p, 'mknod', 'sql-derived-series', '/c', csv);
    expect(checked.code).not.toBe(0);
    await pondOk(p, 'mknod', 'sql-derived-series', '/c', csv, '--no-check');
    await pondOk(p, 'mknod', 'sql-derived-series', '/w', log);
    const failed = await pond(p, 'sql', `SELECT * FROM '/c'`);
    expect(failed.stderr).toMatch(/^Error \[INVALID_DATA\]: .*\$\{env:POND_SECRET_DIR\}/);
    const warned = await pondOk(p, 'sql', `SELECT count(*) FROM '/w'`);
    expect(warned.stderr).toMatch(/^warning: weblog: \S*\$\{env:POND_SECRET_DIR\}\S*: 1 line/);
    const explained = await pondOk(p, 'sql', `SELECT count(*) FROM '/w'`, '--explain');
    expect(explained.stdout).toContain('host+weblog://${env:POND_SECRET_DIR}/*.log');
    const lib = await Pond.open(p);
    const libErr = await rejection(lib.sql(`SELECT * FROM '/c'`));
    const warnings: string[] = [];
    await lib.sql(`SELECT count(*) FROM '/w'`, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    const outputs = [checked, failed, warned, explained].flatMap((r) => [r.stdout, r.stderr]);
    await expectHidden(SECRET_NAME, ...outputs, ...warnings, everything(libErr));
  });
});

describe('an env value cannot change a config', () => {
  it.each([
    ['a comment', ' # x'],
    ['a newline and a key', '\nextra: 1'],
    ['a mapping indicator', ': x'],
  ])('a value ending in %s mounts nothing else', async (_, tail) => {
    const mnt = join(host, 'mnt');
    await mkdir(mnt);
    await writeFile(join(mnt, 'a.txt'), 'alpha');
    setEnv('POND_INJ', `${mnt}${tail}`);
    const lib = await Pond.open(p);
    await lib.transaction((tx) => tx.mknod('/m', 'hostmount', 'directory: ${env:POND_INJ}\n'));
    // The whole value is the directory, which does not exist: textual expansion mounted `mnt`.
    const err = await rejection(lib.list('/m/**'));
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe('huge configs', () => {
  it('refuses a config of 100k keys with INVALID_CONFIG and changes nothing', async () => {
    const lib = await Pond.open(p);
    const before = await lib.list('/**');
    const keys = (n: number, key: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => `${key(i)}: 1\n`).join('');
    for (const text of [
      keys(100_000, (i) => `k${i.toString(36)}`),
      keys(100_000, (i) => `key${i}`),
    ]) {
      const err = await rejection(lib.transaction((tx) => tx.mknod('/big', 'dynamic-dir', text)));
      expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
    }
    expect(await lib.list('/**')).toEqual(before);
  });
});

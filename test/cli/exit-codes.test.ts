// SPDX-License-Identifier: Apache-2.0
/**
 * Every failure class through the CLI: the code on stderr (`Error [CODE]:` or the JSON
 * object) and the exit status from the one table in `ts/cli/exit-codes.ts`. Never the text.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitStatus, exitStatus, exitTable, failure } from '../../ts/cli/exit-codes.js';
import { ErrorCode } from '../../ts/errors.js';
import { platformTriple } from '../../ts/native/addon.js';
import {
  type CliResult,
  pond,
  pondOk,
  pondProcess,
  readingsSql,
  waitForLine,
  writeParquet,
} from '../helpers.js';
import { suiteDir } from './suite.js';

/** The code of the first stderr line, `Error [CODE]: ...` or `{"error": {"code": ...}}`. */
function reported(r: CliResult): string | undefined {
  const line = r.stderr.split('\n')[0] ?? '';
  if (line.startsWith('{')) return (JSON.parse(line) as { error: { code: string } }).error.code;
  return /^Error \[([A-Z_]+)\]: /.exec(line)?.[1];
}

interface Fixture {
  dir: string;
  p: string;
}

/** A pond with a directory /a, a raw file /a/f.txt, a large file /a/big.bin, a host mount /mnt. */
async function fixture(): Promise<Fixture> {
  const dir = await suiteDir('pond-exit-');
  const p = join(dir, 'pond');
  await pondOk(p, 'init');
  await pondOk(p, 'mkdir', '/a');
  await writeFile(join(dir, 'f.txt'), 'hello\n');
  await writeFile(join(dir, 'big.bin'), randomBytes(200_000));
  await writeFile(join(dir, 'bad.yaml'), 'x: 1\n');
  await writeFile(join(dir, 'mnt.yaml'), `directory: ${dir}\n`);
  await writeParquet(join(dir, 't.parquet'), readingsSql('2024-01-01T00:00:00Z', 10));
  await pondOk(p, 'copy', `host://${dir}/f.txt`, `host://${dir}/big.bin`, '/a');
  await pondOk(p, 'mknod', 'hostmount', '/mnt', join(dir, 'mnt.yaml'));
  return { dir, p };
}

/**
 * One failing command line per error code that the CLI can reach; `json` marks the commands
 * that take `--format json`, whose errors then come as a JSON object.
 */
const CASES: { code: string; args: (f: Fixture) => string[]; pond?: false; json?: true }[] = [
  { code: 'USAGE', args: () => ['frobnicate'] },
  { code: 'USAGE', args: () => ['list', '--no-such-option'], json: true },
  { code: 'USAGE', args: () => ['log', '--limit', 'many'], json: true },
  { code: 'USAGE', args: () => ['help', 'no-such-topic'] },
  {
    code: ErrorCode.INVALID_ARGUMENT,
    args: () => ['cat', '/a/f.txt', '--sql', 'SELECT 1'],
    json: true,
  },
  {
    code: ErrorCode.INVALID_CONFIG,
    args: (f) => ['mknod', 'no-such-factory', '/x', join(f.dir, 'bad.yaml')],
  },
  { code: ErrorCode.INVALID_DATA, args: (f) => ['copy', `host+table://${f.dir}/f.txt`, '/t'] },
  { code: ErrorCode.SQL, args: () => ['sql', 'SELEC 1'], json: true },
  { code: ErrorCode.READ_ONLY, args: () => ['mkdir', '/mnt/x'] },
  { code: ErrorCode.NOT_A_POND, args: () => ['list'], pond: false, json: true },
  { code: ErrorCode.NOT_FOUND, args: () => ['cat', '/nope'], json: true },
  { code: ErrorCode.NOT_A_DIRECTORY, args: () => ['mkdir', '/a/f.txt/x'] },
  { code: ErrorCode.IS_A_DIRECTORY, args: () => ['cat', '/a'], json: true },
  { code: ErrorCode.ALREADY_EXISTS, args: () => ['mkdir', '/a'] },
  {
    code: ErrorCode.SCHEMA_MISMATCH,
    args: (f) => ['copy', `host+table://${f.dir}/t.parquet`, '/a/f.txt'],
  },
  { code: ErrorCode.IO, args: () => ['copy', '/a/f.txt', 'host:///sys/pond-cannot-write-here'] },
];

describe('exit statuses', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  }, 300_000);

  it.each(CASES.map((c) => [c.code, c] as const))('%s', async (code, c) => {
    const args = c.args(f);
    const text = await pond(c.pond === false ? undefined : f.p, ...args);
    expect(reported(text)).toBe(code);
    expect(text.code).toBe(exitStatus(code));
    expect(text.stdout).toBe('');
    if (!c.json) return;
    // --format json turns the same failure into one JSON object on stderr
    const json = await pond(c.pond === false ? undefined : f.p, ...args, '--format', 'json');
    expect(json.stderr.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(json.stderr) as { error: Record<string, unknown> };
    expect(Object.keys(parsed.error)).toEqual(['code', 'message', 'path', 'causes']);
    expect(parsed.error.code).toBe(code);
    expect(json.code).toBe(exitStatus(code));
  });

  it('NATIVE_UNAVAILABLE, naming the platform and each place tried, when no addon loads', async () => {
    const dir = await suiteDir('pond-native-');
    const fake = join(dir, 'duckpond.fake.node');
    await writeFile(fake, 'not a shared library');
    for (const [addon, failure] of [
      [join(dir, 'missing.node'), 'no such file'],
      [fake, 'file too short'], // dlopen's reason, on the same line
    ] as const) {
      const p = join(dir, 'p');
      const r = await pondProcess(p, ['init'], { env: { DUCKPOND_NATIVE: addon } });
      expect(reported(r)).toBe('NATIVE_UNAVAILABLE');
      expect(r.code).toBe(ExitStatus.UNAVAILABLE);
      expect(r.stderr).toContain(`for ${platformTriple()}; tried:\n  ${addon}: ${failure}`);
      expect(r.stderr).toContain('DUCKPOND_NATIVE');
      expect(existsSync(p)).toBe(false);
    }
  });

  it('the error names the path it concerns', async () => {
    const missing = await pond(f.p, 'cat', '/nope', '--format', 'json');
    expect(JSON.parse(missing.stderr).error).toMatchObject({ code: 'NOT_FOUND', path: '/nope' });
  });

  it('LOCKED while another process writes', async () => {
    const holder = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'fixtures', 'hold-lock.mjs'), f.p],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await waitForLine(holder, 'holding');
      const r = await pond(f.p, 'mkdir', '/y');
      expect(reported(r)).toBe(ErrorCode.LOCKED);
      expect(r.code).toBe(ExitStatus.LOCKED);
    } finally {
      holder.stdin?.end();
      await new Promise((resolve) => holder.on('exit', resolve));
    }
  });

  it('CORRUPT when fsck finds a damaged large file', async () => {
    const g = await fixture();
    const large = join(g.p, 'data', '_large_files');
    const [name] = (await readdir(large)).filter((n) => n.startsWith('blake3='));
    await writeFile(join(large, name as string), randomBytes(200_000));
    const r = await pond(g.p, 'fsck');
    expect(reported(r)).toBe(ErrorCode.CORRUPT);
    expect(r.code).toBe(ExitStatus.CORRUPT);
  });

  it('CORRUPT when a commit of the Delta log is not JSON, and again after a restore', async () => {
    const g = await fixture();
    const log = join(g.p, 'data', '_delta_log');
    const last = (await readdir(log))
      .filter((n) => n.endsWith('.json'))
      .sort()
      .pop() as string;
    const good = await readFile(join(log, last));
    await writeFile(join(log, last), `${good.toString().trimEnd()}\n{"add": {broken\n`);
    const r = await pond(g.p, 'list', '/');
    expect(reported(r)).toBe(ErrorCode.CORRUPT);
    expect(r.code).toBe(ExitStatus.CORRUPT);
    await writeFile(join(log, last), good);
    expect((await pond(g.p, 'list', '/')).code).toBe(0);
  });

  it('through a real process: status, one error line, no stack trace', async () => {
    const missing = await pondProcess(f.p, ['cat', '/nope']);
    expect(reported(missing)).toBe(ErrorCode.NOT_FOUND);
    expect(missing.code).toBe(ExitStatus.NOT_FOUND);
    expect(missing.stderr.split('\n')).toHaveLength(2);
    const usage = await pondProcess(f.p, ['list', '--no-such-option']);
    expect(reported(usage)).toBe('USAGE');
    expect(usage.code).toBe(ExitStatus.USAGE);
    const json = await pondProcess(f.p, ['sql', 'SELEC 1', '--format', 'json']);
    expect(JSON.parse(json.stderr).error.code).toBe(ErrorCode.SQL);
    expect(json.code).toBe(ExitStatus.INVALID);
    const help = await pondProcess(f.p, ['help', 'exit-codes']);
    expect(help.code).toBe(0);
    for (const row of exitTable()) expect(help.stdout).toContain(`${row.status}  `);
  });
});

describe('the exit status table', () => {
  it('gives every error code exactly one documented status', () => {
    const listed = exitTable().flatMap((row) => row.codes);
    expect([...listed].sort()).toEqual(['USAGE', ...Object.values(ErrorCode)].sort());
    for (const row of exitTable()) {
      expect(row.meaning).toBeTruthy();
      for (const code of row.codes) expect(exitStatus(code)).toBe(row.status);
    }
    const statuses = exitTable().map((row) => row.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('classes the codes no CLI command reaches on purpose', () => {
    expect(exitStatus(ErrorCode.TIMEOUT)).toBe(ExitStatus.TIMEOUT);
    expect(exitStatus(ErrorCode.COMMIT_CONFLICT)).toBe(ExitStatus.CONFLICT);
    expect(exitStatus(ErrorCode.SYMLINK_LOOP)).toBe(ExitStatus.NOT_FOUND);
    expect(exitStatus(ErrorCode.INTERNAL)).toBe(ExitStatus.INTERNAL);
    expect(failure(new TypeError('x is undefined')).code).toBe(ErrorCode.INTERNAL);
    const enoent = Object.assign(new Error('open /x'), { code: 'ENOENT', path: '/x' });
    expect(failure(enoent)).toMatchObject({ code: ErrorCode.NOT_FOUND, path: '/x' });
    const eio = Object.assign(new Error('write'), { code: 'EIO' });
    expect(failure(eio).code).toBe(ErrorCode.IO);
  });

  it('prints the cause chain one cause per line, without repeating the message', () => {
    const inner = new Error('disk full');
    const outer = new Error('writing /x', {
      cause: new Error('[IO] writing /x', { cause: inner }),
    });
    expect(failure(outer).causes).toEqual(['disk full']);
  });
});

// SPDX-License-Identifier: Apache-2.0
/** Shared test plumbing: temp directories, in-process CLI runs, subprocess CLI runs. */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach } from 'vitest';
import { run } from '../ts/cli/main.js';
import { PondError } from '../ts/errors.js';

export const REPO = resolve(import.meta.dirname, '..');
export const BIN = join(REPO, 'bin', 'pond.js');

const temps: string[] = [];

/** A fresh temp directory, removed after the current test. */
export async function tempDir(prefix = 'pond-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly bytes: Buffer;
}

function collector(): { stream: PassThrough; done: () => Buffer } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, done: () => Buffer.concat(chunks) };
}

/** A fresh pond (`pond init`) and an empty host directory beside it, in a temp directory. */
export async function pondAndHost(): Promise<{ p: string; host: string }> {
  const dir = await tempDir();
  const host = join(dir, 'host');
  await mkdir(host);
  const p = join(dir, 'pond');
  await pondOk(p, 'init');
  return { p, host };
}

/** Write `text` to `<dir>/<name>.yaml` (a config for mknod); returns its path. */
export async function hostConfig(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

/** The code of the PondError `p` rejects with, or 'OK' when it resolves. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (!(err instanceof PondError)) throw err;
    return err.code;
  }
}

/** Run `pond ARGS` in-process against `pond` (sets POND). */
export async function pond(pondDir: string | undefined, ...args: string[]): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const env: Record<string, string | undefined> = { ...process.env, POND: pondDir };
  if (pondDir === undefined) delete env.POND;
  const code = await run(args, { stdout: out.stream, stderr: err.stream, env, cwd: process.cwd() });
  const bytes = out.done();
  return { code, stdout: bytes.toString('utf8'), stderr: err.done().toString('utf8'), bytes };
}

/** Like `pond`, but fail the test unless the command succeeds. */
export async function pondOk(pondDir: string | undefined, ...args: string[]): Promise<CliResult> {
  const result = await pond(pondDir, ...args);
  if (result.code !== 0) {
    throw new Error(`pond ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return result;
}

/** Run `node bin/pond.js ARGS` as a real subprocess. */
export function pondProcess(
  pondDir: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, POND: pondDir, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const bytes = Buffer.concat(out);
      resolvePromise({
        code: code ?? -1,
        stdout: bytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        bytes,
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Replace volatile parts of CLI output (ids, times) so transcripts compare. */
export function normalize(text: string): string {
  return text
    .replace(/\[[0-9a-f]{12}\]@\[[0-9a-f]{12}\]/g, 'NODE@POND')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'TIME');
}

/**
 * Write the result of a SQL statement (no tables needed: VALUES, generate_series) as a
 * Parquet file, through pond's own engine.
 */
export async function writeParquet(
  path: string,
  sql: string,
  rowGroupRows?: number,
): Promise<void> {
  const { query } = await import('../ts/native/engine.js');
  const chunks: Buffer[] = [];
  for await (const chunk of query(
    sql,
    {},
    { format: 'parquet', ...(rowGroupRows ? { rowGroupRows } : {}) },
  )) {
    chunks.push(chunk);
  }
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, Buffer.concat(chunks));
}

/** SQL for `rows` readings every minute from `start` (ISO time): timestamp, value, n, tag. */
export function readingsSql(start: string, rows: number, offset = 0): string {
  return `SELECT arrow_cast(to_timestamp_millis(${Date.parse(start)} + value * 60000), 'Timestamp(Millisecond, Some("UTC"))') AS timestamp,
    CAST(value + ${offset} AS DOUBLE) AS value, value + ${offset} AS n,
    CASE WHEN value % 2 = 0 THEN 'even' ELSE 'odd' END AS tag
    FROM generate_series(0, ${rows - 1}) ORDER BY timestamp`;
}

/** The objects of `--format json` output, one per line. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The paths of `pond list` output lines (the last column). */
export function listedPaths(listing: string): string[] {
  return listing
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(line.lastIndexOf('  ') + 2));
}

/**
 * Copy a series of three daily versions (2024-01-01..03), 100 one-minute readings each, into
 * `target`; `n` runs 0..299 across them. Parquet files are made in `hostDir`.
 */
export async function copyThreeDays(
  pondDir: string,
  hostDir: string,
  target: string,
): Promise<void> {
  for (const [i, day] of ['2024-01-01', '2024-01-02', '2024-01-03'].entries()) {
    const file = join(hostDir, `d${i}.parquet`);
    await writeParquet(file, readingsSql(`${day}T00:00:00Z`, 100, i * 100));
    await pondOk(pondDir, 'copy', `host+series://${file}`, target);
  }
}

/** The oplog's Delta version, from `pond show`: unchanged means nothing was committed. */
export async function dataVersion(pondDir: string): Promise<number> {
  const show = await pondOk(pondDir, 'show', '--limit', '1');
  const m = /^Data \(.*\): version (\d+),/m.exec(show.stdout);
  if (!m) throw new Error(`no data version in: ${show.stdout}`);
  return Number(m[1]);
}

/** Resolve once `child` has printed `text` on stdout; reject if it exits first. */
export function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(text)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing ${text}`)));
  });
}

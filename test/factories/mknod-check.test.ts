// SPDX-License-Identifier: Apache-2.0
/** mknod plans a table node's query before storing it (`--no-check` skips that), and
 * sql-derived-table's one-match rule holds for every URL form, at mknod and on read. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { Pond } from '../../ts/index.js';
import { pondCoded } from '../cli/coded.js';
import {
  dataVersion,
  hostConfig,
  listedPaths,
  pondAndHost,
  pondOk,
  readingsSql,
  writeParquet,
} from '../helpers.js';

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

const config = (name: string, text: string): Promise<string> => hostConfig(host, name, text);

async function series(name: string): Promise<void> {
  const file = join(host, `${name}.parquet`);
  await writeParquet(file, readingsSql('2024-01-01T00:00:00Z', 10));
  await pondOk(p, 'copy', `host+series://${file}`, `/s/${name}.series`);
}

async function csv(name: string): Promise<void> {
  const file = join(host, name);
  await writeFile(file, 'x\n1\n2\n');
  await pondOk(p, 'copy', `host://${file}`, `/${name}`);
}

function codeOf(error: unknown): string {
  if (error === null) return 'OK';
  if (!(error instanceof PondError)) throw error;
  return error.code;
}

/** What an observer sees of the pond: its committed log records and its listing (a
 * refused write is logged as FAILED, which changes nothing). */
async function state(): Promise<string> {
  const log = (await pondOk(p, 'log')).stdout;
  const committed = log.split('\n').filter((l) => /^\s+\d+\s+COMMITTED/.test(l));
  const list = (await pondOk(p, 'list', '/**')).stdout;
  return `${await dataVersion(p)}\n${committed.join('\n')}\n${list}`;
}

describe('mknod checks the query', () => {
  beforeEach(async () => {
    await pondOk(p, 'mkdir', '/s');
    await series('a');
  });

  it.each([
    ['a syntax error', 'SELECT FROM WHERE source'],
    ['an unknown column', 'SELECT nosuch FROM source'],
    ['an unknown table', 'SELECT * FROM nosuch'],
  ])('refuses %s with a coded error and stores nothing', async (_what, query) => {
    const cfg = await config('bad', `patterns:\n  source: "/s/a.series"\nquery: ${query}\n`);
    const before = await state();
    const r = await pondCoded(p, 'mknod', 'sql-derived-table', '/bad', cfg);
    expect(codeOf(r.error)).not.toBe('OK');
    expect(r.error).toBeInstanceOf(PondError);
    expect(await state()).toBe(before);
    await pondOk(p, 'mknod', 'sql-derived-table', '/bad', cfg, '--no-check');
    expect((await pondOk(p, 'list', '/bad')).stdout).toContain('/bad');
  });

  it('refuses missing inputs unless --no-check, and reads them once they exist', async () => {
    const cfg = await config('later', 'patterns:\n  source: "/s/later.series"\n');
    const r = await pondCoded(p, 'mknod', 'sql-derived-table', '/later', cfg);
    expect(codeOf(r.error)).toBe(ErrorCode.NOT_FOUND);
    await pondOk(p, 'mknod', 'sql-derived-table', '/later', cfg, '--no-check');
    await series('later');
    const out = await pondOk(p, 'sql', `SELECT count(*) AS c FROM '/later'`, '--format', 'csv');
    expect(out.stdout).toBe('c\n10\n');
  });

  it('checks mknod documents in apply, with the same opt-out', async () => {
    const doc = [
      'version: v1',
      'kind: mknod',
      'metadata: {path: /bad}',
      'spec:',
      '  factory: sql-derived-table',
      '  config:',
      '    patterns: {source: /s/a.series}',
      '    query: SELECT nosuch FROM source',
      '',
    ].join('\n');
    const file = await config('apply', doc);
    const before = await state();
    const r = await pondCoded(p, 'apply', '-f', file);
    expect(r.error).toBeInstanceOf(PondError);
    expect(await state()).toBe(before);
    await pondOk(p, 'apply', '-f', file, '--no-check');
    expect((await pondOk(p, 'list', '/bad')).stdout).toContain('/bad');
  });
});

describe('Transaction.mknod checks the query', () => {
  it('rejects bad SQL with a coded error and stores it with check: false', async () => {
    const pond = await Pond.open(p);
    const bad = 'patterns: {source: /nosuch.series}\nquery: SELECT FROM\n';
    const refused = pond.transaction((tx) => tx.mknod('/bad', 'sql-derived-table', bad));
    await expect(refused).rejects.toBeInstanceOf(PondError);
    await pond.transaction((tx) => tx.mknod('/bad', 'sql-derived-table', bad, { check: false }));
    expect(listedPaths((await pondOk(p, 'list', '/**')).stdout)).toContain('/bad');
  });
});

describe('sql-derived-table needs exactly one match in every URL form', () => {
  const forms = [
    ['a pond glob', () => '/s/*'],
    ['series:///', () => 'series:///s/*'],
    ['table:///', () => 'table:///s/*'],
    ['csv:///', () => 'csv:///r*.csv'],
    ['host+csv:///', () => `host+csv://${host}/r*.csv`],
  ] as const;

  beforeEach(async () => {
    await pondOk(p, 'mkdir', '/s');
    await series('a');
    await csv('r1.csv');
    await writeFile(join(host, 'r1.csv'), 'x\n1\n2\n');
  });

  async function second(): Promise<void> {
    await series('b');
    await csv('r2.csv');
    await writeFile(join(host, 'r2.csv'), 'x\n1\n2\n');
  }

  it.each(forms)('%s: several matches are refused at mknod, naming them', async (_w, source) => {
    await second();
    const cfg = await config('t', `patterns:\n  source: "${source()}"\n`);
    const r = await pondCoded(p, 'mknod', 'sql-derived-table', '/t', cfg);
    expect(codeOf(r.error)).toBe(ErrorCode.INVALID_CONFIG);
    expect((r.error as PondError).path).toBe(source());
    expect(listedPaths((await pondOk(p, 'list', '/**')).stdout)).not.toContain('/t');
  });

  it.each(forms)('%s: a second match appearing later fails the read', async (_w, source) => {
    const cfg = await config('t', `patterns:\n  source: "${source()}"\n`);
    await pondOk(p, 'mknod', 'sql-derived-table', '/t', cfg);
    await second();
    const r = await pondCoded(p, 'sql', `SELECT count(*) FROM '/t'`);
    expect(codeOf(r.error)).toBe(ErrorCode.INVALID_CONFIG);
    expect((r.error as PondError).message).toMatch(/found 2: \S+(a\.series|r1\.csv), /);
  });
});

// SPDX-License-Identifier: Apache-2.0
/** `?` in URLs: options only when `key=value[&key=value]` follows, else a wildcard; `%3F` is
 * a literal `?`. A pattern whose fixed prefix does not exist is NOT_FOUND, never empty. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import { parseUrl } from '../../ts/query/url.js';
import { pondCoded } from '../cli/coded.js';
import { listedPaths, pondAndHost, pondOk, readingsSql, writeParquet } from '../helpers.js';

describe('parseUrl and ?', () => {
  it.each([
    ['csv:///r?.csv', '/r?.csv', {}],
    ['csv:///r?.csv?delimiter=;', '/r?.csv', { delimiter: ';' }],
    [
      'csv:///r.csv?delimiter=%3B&has_header=false',
      '/r.csv',
      { delimiter: ';', has_header: 'false' },
    ],
    ['host+csv:///d/?/x.csv', '/d/?/x.csv', {}],
    ['csv:///a%3Fb.csv', '/a[?]b.csv', {}],
    ['csv:///a%3fb?.csv?quote=%22', '/a[?]b?.csv', { quote: '"' }],
    ['series:///s/??.series', '/s/??.series', {}],
  ])('%s', (text, path, options) => {
    const url = parseUrl(text);
    expect(url.path).toBe(path);
    expect(url.options).toEqual(options);
  });
});

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
  await writeFile(join(host, 'r1.csv'), 'x\n1\n2\n');
  await pondOk(p, 'copy', `host://${join(host, 'r1.csv')}`, '/r1.csv');
  await writeParquet(join(host, 'a.parquet'), readingsSql('2024-01-01T00:00:00Z', 10));
  await pondOk(p, 'mkdir', '/s');
  await pondOk(p, 'copy', `host+series://${join(host, 'a.parquet')}`, '/s/a1.series');
});

function codeOf(error: unknown): string {
  if (error === null) return 'OK';
  if (!(error instanceof PondError)) throw error;
  return error.code;
}

describe('? as a wildcard in every URL form', () => {
  it.each([
    ['csv:///', (): string => 'csv:///r?.csv', 2],
    ['host+csv:///', (): string => `host+csv://${host}/r?.csv`, 2],
    ['host+csv:/// with options', (): string => `host+csv://${host}/r?.csv?has_header=true`, 2],
    ['series:///', (): string => 'series:///s/a?.series', 10],
    ['a pond glob', (): string => '/s/a?.series', 10],
  ] as const)('%s', async (_w, url, rows) => {
    const sql = `SELECT count(*) AS c FROM '${url()}'`;
    const out = await pondOk(p, 'sql', sql, '--format', 'csv');
    expect(out.stdout).toBe(`c\n${rows}\n`);
  });

  it('lists a host glob with ?', async () => {
    const out = await pondOk(p, 'list', `host://${host}/r?.csv`);
    expect(listedPaths(out.stdout)).toEqual([join(host, 'r1.csv')]);
  });

  it('reads %3F as a literal ?', async () => {
    await writeFile(join(host, 'q?.csv'), 'x\n1\n');
    await writeFile(join(host, 'qq.csv'), 'x\n1\n2\n3\n');
    const sql = `SELECT count(*) AS c FROM 'host+csv://${host}/q%3F.csv'`;
    expect((await pondOk(p, 'sql', sql, '--format', 'csv')).stdout).toBe('c\n1\n');
  });
});

describe('a pattern whose fixed prefix does not exist is NOT_FOUND', () => {
  it.each([
    ['a pond glob', (): string => '/nosuch/*.series', (): string => '/nosuch'],
    ['series:///', (): string => 'series:///nosuch/a?.series', (): string => '/nosuch'],
    ['csv:///', (): string => 'csv:///nosuch/r?.csv', (): string => '/nosuch'],
    [
      'host+csv:///',
      (): string => `host+csv://${host}/nosuch/*.csv`,
      (): string => join(host, 'nosuch'),
    ],
    [
      'host+csv:/// with ?',
      (): string => `host+csv://${host}/nosuch/r?.csv`,
      (): string => join(host, 'nosuch'),
    ],
  ] as const)('%s', async (_w, url, prefix) => {
    const r = await pondCoded(p, 'sql', `SELECT count(*) FROM '${url()}'`);
    expect(codeOf(r.error)).toBe(ErrorCode.NOT_FOUND);
    expect((r.error as PondError).path).toBe(prefix());
  });
});

describe('pond list of a glob whose fixed prefix does not exist is NOT_FOUND', () => {
  it.each([
    ['a pond glob', (): string => '/nosuch/*', (): string => '/nosuch'],
    ['a pond glob with ?', (): string => '/nosuch/r?.csv', (): string => '/nosuch'],
    ['a host glob', (): string => `host://${host}/nosuch/*`, (): string => join(host, 'nosuch')],
    [
      'a host glob with ?',
      (): string => `host://${host}/nosuch/r?.csv`,
      (): string => join(host, 'nosuch'),
    ],
  ] as const)('%s', async (_w, pattern, prefix) => {
    const r = await pondCoded(p, 'list', pattern());
    expect(codeOf(r.error)).toBe(ErrorCode.NOT_FOUND);
    expect((r.error as PondError).path).toBe(prefix());
  });

  it('stays empty when the prefix exists but nothing matches', async () => {
    expect((await pondOk(p, 'list', '/s/*.nomatch')).stdout).toBe('');
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * `weblog`: nginx/Apache combined and common access logs in the original's columns and
 * types; lines that do not match skipped with a warning, `?strict=true` to fail.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers.js';
import { fixture, freshPond, query } from './formats-fixtures.js';

const COLUMNS = [
  'timestamp',
  'remote_addr',
  'remote_user',
  'method',
  'path',
  'protocol',
  'status',
  'body_bytes_sent',
  'http_referer',
  'http_user_agent',
];

describe('weblog', () => {
  it('reads combined lines in the original schema, times converted to UTC', async () => {
    const pond = await freshPond();
    const got = await query(pond, `SELECT * FROM 'host+weblog://${fixture('weblog/access.log')}'`);
    expect(got.columns).toEqual(COLUMNS);
    expect(got.types).toEqual([
      'Timestamp<MICROSECOND, UTC>',
      'Utf8',
      'Utf8',
      'Utf8',
      'Utf8',
      'Utf8',
      'Uint16',
      'Uint64',
      'Utf8',
      'Utf8',
    ]);
    expect(got.rows[0]).toEqual({
      timestamp: '2000-10-10T20:55:36.000Z',
      remote_addr: '93.184.216.34',
      remote_user: 'frank',
      method: 'GET',
      path: '/index.html',
      protocol: 'HTTP/1.1',
      status: 200,
      body_bytes_sent: 2326,
      http_referer: 'http://www.example.com/start.html',
      http_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
    // `-` is NULL in user, referer and agent; `-` bytes are 0; an IPv6 address is kept.
    expect(
      got.rows
        .slice(1)
        .map((r) => [
          r.remote_addr,
          r.remote_user,
          r.body_bytes_sent,
          r.http_referer,
          r.http_user_agent,
        ]),
    ).toEqual([
      ['10.0.0.2', null, 512, null, 'curl/8.5.0'],
      ['10.0.0.3', null, 0, 'http://www.example.com/', 'Mozilla/5.0'],
      ['2001:db8::1', 'alice', 0, null, null],
    ]);
  });

  it('reads common lines, splitting the request on its first two spaces', async () => {
    const pond = await freshPond();
    const got = await query(pond, `SELECT * FROM 'host+weblog://${fixture('weblog/common.log')}'`);
    expect(
      got.rows.map((r) => [r.timestamp, r.remote_user, r.method, r.path, r.protocol, r.status]),
    ).toEqual([
      ['2025-01-01T00:00:00.000Z', null, 'POST', '/api/data', 'HTTP/2.0', 201],
      ['2024-12-31T23:00:05.000Z', 'bob', 'GET', '/only-path', null, 200],
      ['2025-01-01T00:00:09.000Z', null, '-', null, null, 400],
      ['2025-01-01T00:00:10.000Z', null, null, null, null, 408],
    ]);
    expect(got.rows.every((r) => r.http_referer === null && r.http_user_agent === null)).toBe(true);
  });

  it('skips bad lines with a warning per reason; invalid UTF-8 is read as U+FFFD', async () => {
    const pond = await freshPond();
    const url = `host+weblog://${fixture('weblog/mixed.log')}`;
    const got = await query(pond, `SELECT path, http_user_agent FROM '${url}'`);
    expect(got.rows).toEqual([
      { path: '/a', http_user_agent: 'agent one' },
      { path: '/b', http_user_agent: 'say "hi"' },
      { path: '/d', http_user_agent: 'agent four' },
      { path: '/caf\ufffd', http_user_agent: 'latin-1 \ufffd' },
    ]);
    expect(got.warnings).toEqual([
      `weblog: ${url}: 2 lines skipped (not in combined or common log format; first at line 2)`,
      `weblog: ${url}: 1 line skipped (timestamp not DD/Mon/YYYY:HH:MM:SS +ZZZZ; first at line 3)`,
      `weblog: ${url}: invalid UTF-8 in 1 line, read as U+FFFD; first at line 8`,
    ]);
  });

  it('fails on the first bad line with ?strict=true, naming it', async () => {
    const pond = await freshPond();
    const url = `host+weblog://${fixture('weblog/mixed.log')}?strict=true`;
    await expect(pond.sql(`SELECT * FROM '${url}'`)).rejects.toMatchObject({
      code: 'INVALID_DATA',
      path: url,
    });
    // Good input reads the same with it.
    const good = `host+weblog://${fixture('weblog/access.log')}?strict=true`;
    expect((await query(pond, `SELECT count(*) AS n FROM '${good}'`)).rows).toEqual([{ n: 4 }]);
    expect(
      await codeOf(pond.sql(`SELECT * FROM '${good.replace('strict=true', 'strict=maybe')}'`)),
    ).toBe('INVALID_ARGUMENT');
  });
});

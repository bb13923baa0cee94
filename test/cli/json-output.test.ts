// SPDX-License-Identifier: Apache-2.0
/**
 * `--format json` of the metadata commands: one JSON object per line, with the field names
 * docs/cli.md promises (scripts depend on them, so a rename fails here).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyThreeDays, pondOk } from '../helpers.js';
import { suiteDir } from './suite.js';

function lines(stdout: string): Record<string, unknown>[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('--format json', () => {
  let p: string;
  beforeAll(async () => {
    const dir = await suiteDir('pond-json-');
    p = join(dir, 'pond');
    await pondOk(p, 'init', '--birthplace', 'lab');
    await pondOk(p, 'mkdir', '/a');
    await writeFile(join(dir, 'h.txt'), 'hello\n');
    await pondOk(p, 'copy', `host://${dir}/h.txt`, '/a/h.txt');
    await copyThreeDays(p, dir, '/a/s.series');
  }, 300_000);

  it('list: one entry per line', async () => {
    const entries = lines((await pondOk(p, 'list', '--format', 'json')).stdout);
    expect(entries.map((e) => e.path)).toEqual(['/a', '/a/h.txt', '/a/s.series']);
    for (const e of entries) {
      expect(Object.keys(e)).toEqual([
        'path',
        'entry_type',
        'type',
        'size',
        'version',
        'modified',
        'node_id',
        'pond_id',
        'target',
      ]);
      expect(e.modified).toMatch(ISO);
    }
    expect(entries[1]).toMatchObject({
      entry_type: 'file:physical:version',
      type: 'data',
      size: 6,
      version: 1,
      target: null,
    });
    expect(entries[2]).toMatchObject({ entry_type: 'table:physical:series', version: 3 });
    expect(entries[0]).toMatchObject({ entry_type: 'dir:physical', size: null });
  });

  it('describe: schema, time column and series versions', async () => {
    const [file, series] = lines((await pondOk(p, 'describe', '/a/*', '--format', 'json')).stdout);
    expect(file).toMatchObject({
      path: '/a/h.txt',
      kind: 'file',
      format: 'Raw data',
      versions: 1,
      size: 6,
      schema: null,
    });
    expect(series).toMatchObject({
      path: '/a/s.series',
      entry_type: 'table:physical:series',
      type: 'TablePhysicalSeries',
      versions: 3,
      timestamp_column: 'timestamp',
      rows: 300,
    });
    expect(((series?.schema ?? []) as { name: string }[]).map((c) => c.name)).toEqual([
      'timestamp',
      'value',
      'n',
      'tag',
    ]);
    const versions = series?.series_versions as Record<string, unknown>[];
    expect(versions).toHaveLength(3);
    expect(Object.keys(versions[0] ?? {})).toEqual([
      'version',
      'rows',
      'min_time',
      'max_time',
      'size',
    ]);
    expect(versions[0]).toMatchObject({
      version: 1,
      rows: 100,
      min_time: '2024-01-01T00:00:00.000Z',
    });
  });

  it('log: one transaction per line', async () => {
    const txns = lines((await pondOk(p, 'log', '--format', 'json')).stdout);
    expect(txns.length).toBeGreaterThanOrEqual(5);
    for (const t of txns) {
      expect(Object.keys(t)).toEqual([
        'seq',
        'txn_id',
        'status',
        'kind',
        'parent_seq',
        'args',
        'time',
        'duration_ms',
        'data_version',
        'error',
        'created',
        'versioned',
        'removed',
        'moved',
        'recovered',
        'tx_kind',
      ]);
      expect(t.status).toBe('COMMITTED');
    }
    const copy = txns.find((t) => (t.args as string[])[0] === 'copy');
    expect(copy?.created).toEqual(['/a/h.txt']);
    const limited = lines((await pondOk(p, 'log', '--limit', '1', '--format', 'json')).stdout);
    expect(limited).toHaveLength(1);
  });

  it('show: the two tables, then the commits', async () => {
    const records = lines((await pondOk(p, 'show', '--format', 'json')).stdout);
    expect(records.slice(0, 2).map((r) => [r.record, r.name])).toEqual([
      ['table', 'data'],
      ['table', 'control'],
    ]);
    expect(Object.keys(records[0] ?? {})).toEqual([
      'record',
      'name',
      'dir',
      'version',
      'files',
      'bytes',
      'partitions',
      'log_files',
      'checkpoint_version',
    ]);
    const commits = records.slice(2);
    expect(commits.every((c) => c.record === 'commit')).toBe(true);
    expect(Object.keys(commits[0] ?? {})).toEqual([
      'record',
      'version',
      'time',
      'operation',
      'txn_seq',
      'args',
    ]);
  });

  it('status: one object', async () => {
    const [status, ...rest] = lines((await pondOk(p, 'status', '--format', 'json')).stdout);
    expect(rest).toEqual([]);
    expect(status).toMatchObject({
      birthplace: 'lab',
      transactions: { failed: 0, incomplete: 0 },
      post_commit: [],
    });
    expect(Object.keys(status ?? {})).toEqual([
      'pond',
      'pond_id',
      'birth_time',
      'user',
      'host',
      'birthplace',
      'data',
      'transactions',
      'last',
      'post_commit',
      'remotes',
    ]);
  });

  it('list-factories: one factory per line with its aliases', async () => {
    const factories = lines((await pondOk(undefined, 'list-factories', '--format', 'json')).stdout);
    for (const f of factories)
      expect(Object.keys(f)).toEqual(['name', 'kind', 'description', 'aliases']);
    expect(factories.find((f) => f.name === 'dynamic-dir')?.aliases).toEqual(['dyndir']);
  });

  it('text stays the default', async () => {
    expect((await pondOk(p, 'list')).stdout).toMatch(/^\[DIR\]/);
  });
});

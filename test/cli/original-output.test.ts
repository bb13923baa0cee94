// SPDX-License-Identifier: Apache-2.0
// The original DuckPond's output shapes and flags: the read/write column of `pond log`,
// `show -m brief|concise|detailed`, `copy --strip-prefix`, format URLs in `describe` and
// `list`, and `list` sizes in B/KB/MB with 12-digit ids (`--bytes` for exact sizes).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { humanSize } from '../../ts/cli/format.js';
import { ErrorCode } from '../../ts/errors.js';
import {
  dataVersion,
  jsonLines,
  listedPaths,
  pond,
  pondAndHost,
  pondOk,
  tempDir,
} from '../helpers.js';
import { pondCoded } from './coded.js';

describe('pond log: read/write', () => {
  it('names each transaction write, and one that changed nothing read', async () => {
    const { p, host } = await pondAndHost();
    await pondOk(p, 'mkdir', '/a');
    await writeFile(join(host, 'd.yaml'), 'version: v1\nkind: mkdir\nmetadata:\n  path: /a\n');
    await pondOk(p, 'apply', '-f', join(host, 'd.yaml')); // nothing to change: COMPLETED
    expect((await pond(p, 'mkdir', '/a')).code).not.toBe(0); // FAILED
    const text = (await pondOk(p, 'log', '--all')).stdout;
    const headers = text.split('\n').filter((l) => /^\s+\d+ {2}/.test(l));
    expect(headers.map((l) => l.split(/\s+/).slice(1, 4))).toEqual([
      ['1', 'COMMITTED', 'write'],
      ['2', 'COMMITTED', 'write'],
      ['3', 'COMPLETED', 'read'],
      ['4', 'FAILED', 'write'],
    ]);
    const records = jsonLines((await pondOk(p, 'log', '--all', '--format', 'json')).stdout);
    expect(records.map((r) => [r.seq, r.status, r.kind, r.tx_kind])).toEqual([
      [1, 'COMMITTED', 'write', 'write'],
      [2, 'COMMITTED', 'write', 'write'],
      [3, 'COMPLETED', 'write', 'read'],
      [4, 'FAILED', 'write', 'write'],
    ]);
    // Reads record nothing: the log is the same after list, cat, sql and log itself.
    await pondOk(p, 'list');
    await pondOk(p, 'sql', 'SELECT 1');
    expect((await pondOk(p, 'log', '--all')).stdout).toBe(text);
  });
});

describe('pond show -m', () => {
  async function small(): Promise<string> {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'x.txt'), 'hello, pond\n');
    await pondOk(p, 'mkdir', '-p', '/a/b');
    await pondOk(p, 'copy', `host://${host}/x.txt`, '/a/b/x.txt');
    await pondOk(p, 'copy', `host://${host}/x.txt`, '/a/b/x.txt');
    return p;
  }

  it('concise: rows and nodes per transaction, as pond:///versions counts them', async () => {
    const p = await small();
    const text = (await pondOk(p, 'show', '-m', 'concise')).stdout;
    const lines = text.split('\n').filter((l) => l.startsWith('  seq'));
    const counted = lines.map((l) => {
      const m =
        /^ {2}seq +(\d+) +(\d+) op\(s\) +(\d+) node\(s\) {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.exec(
          l,
        );
      expect(m, l).not.toBeNull();
      return [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
    });
    const sql = await pondOk(
      p,
      'sql',
      "SELECT txn_seq, count(*) AS ops, count(DISTINCT node_id) AS nodes FROM 'pond:///versions' GROUP BY txn_seq ORDER BY txn_seq DESC",
      '--format',
      'csv',
    );
    const expected = sql.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expect(counted).toEqual(expected);
    expect(text.startsWith('\nTransactions (newest first)\n---------------------------\n')).toBe(
      true,
    );
    const json = jsonLines((await pondOk(p, 'show', '-m', 'concise', '--format', 'json')).stdout);
    expect(json.map((r) => [r.record, r.txn_seq, r.ops, r.nodes])).toEqual(
      expected.map(([seq, ops, nodes]) => ['transaction', seq, ops, nodes]),
    );
    const limited = (await pondOk(p, 'show', '-m', 'concise', '--limit', '1')).stdout;
    expect(limited.split('\n').filter((l) => l.startsWith('  seq'))).toEqual([lines[0]]);
  });

  it('detailed: each transaction by partition, with snapshot entries', async () => {
    const p = await small();
    const entries = jsonLines((await pondOk(p, 'list', '/**', '--format', 'json')).stdout);
    const id = (path: string) => {
      const e = entries.find((x) => x.path === path);
      return `[${String(e?.node_id).replace(/-/g, '').slice(-12)}]`;
    };
    const text = (await pondOk(p, 'show', '-m', 'detailed')).stdout;
    const blocks = text.split(/^\+=+\+\n\| Transaction /m).slice(1);
    expect(blocks.map((b) => /^.*\n\| (\d+) /.exec(b)?.[1])).toEqual(['4', '3', '2', '1']);
    const [fourth, third] = blocks as [string, string];
    expect(fourth).toContain(
      `  Partition ${id('/a/b')} /a/b:\n    +-- Node ${id('/a/b/x.txt')} file:physical:version v2 (12 B)\n`,
    );
    expect(third).toContain(
      [
        `  Partition ${id('/a/b')} /a/b:`,
        `    |-+ Node ${id('/a/b')} dir:physical v2 (1 entry)`,
        `    | +-- x.txt -> ${id('/a/b/x.txt')}`,
        `    +-- Node ${id('/a/b/x.txt')} file:physical:version v1 (12 B)`,
      ].join('\n'),
    );
    const ops = jsonLines((await pondOk(p, 'show', '-m', 'detailed', '--format', 'json')).stdout);
    const concise = jsonLines(
      (await pondOk(p, 'show', '-m', 'concise', '--format', 'json')).stdout,
    );
    expect(ops.length).toBe(concise.reduce((n, r) => n + Number(r.ops), 0));
    const thirdOps = ops.filter((r) => r.txn_seq === 3);
    expect(thirdOps.map((r) => `${r.partition_path} ${r.entry_type} v${r.version}`).sort()).toEqual(
      ['/a/b dir:physical v2', '/a/b file:physical:version v1'],
    );
    expect(thirdOps.find((r) => r.entry_type === 'dir:physical')?.entries).toEqual([
      { name: 'x.txt', node_id: entries.find((e) => e.path === '/a/b/x.txt')?.node_id },
    ]);
  });

  it('brief is the default; an unknown mode is a usage error', async () => {
    const p = await small();
    const brief = (await pondOk(p, 'show')).stdout;
    expect(brief).toMatch(/^Data \(.*\): version 3, /);
    expect((await pondOk(p, 'show', '-m', 'brief')).stdout).toBe(brief);
    const bad = await pond(p, 'show', '-m', 'verbose');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'verbose' is invalid");
  });
});

describe('pond copy --strip-prefix', () => {
  it('drops the leading pond directory from the recreated paths', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'f.csv'), 'x\n1\n');
    await pondOk(p, 'mkdir', '-p', '/hydrovu/devices/123');
    await pondOk(p, 'copy', `host://${host}/f.csv`, '/hydrovu/devices/123/foo.csv');
    await pondOk(p, 'copy', `host://${host}/f.csv`, '/hydrovu/top.csv');
    const out = join(host, 'out');
    await pondOk(p, 'copy', '/hydrovu/**', `host://${out}`, '--strip-prefix=/hydrovu');
    expect((await readdir(out)).sort()).toEqual(['devices', 'top.csv']);
    expect(await readFile(join(out, 'devices', '123', 'foo.csv'), 'utf8')).toBe('x\n1\n');
    const deeper = join(host, 'deeper');
    await pondOk(
      p,
      'copy',
      '/hydrovu/devices',
      `host://${deeper}/`,
      '--strip-prefix',
      '/hydrovu/devices/',
    );
    expect(await readdir(deeper)).toEqual(['123']);
  });

  it('refuses a file outside the prefix, a string prefix, a pattern and copying in, writing nothing', async () => {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'f.csv'), 'x\n1\n');
    await pondOk(p, 'mkdir', '-p', '/hydrovu');
    await pondOk(p, 'copy', `host://${host}/f.csv`, '/hydrovu/a.csv');
    await pondOk(p, 'copy', `host://${host}/f.csv`, '/other.csv');
    const out = join(host, 'out');
    const cases: [string[], string | undefined][] = [
      [['/**', `host://${out}`, '--strip-prefix', '/hydrovu'], '/other.csv'],
      [['/hydrovu/*', `host://${out}`, '--strip-prefix', '/hydro'], '/hydrovu/a.csv'],
      [['/hydrovu/*', `host://${out}`, '--strip-prefix', '/hydrovu/a.csv'], '/hydrovu/a.csv'],
      [['/hydrovu/*', `host://${out}`, '--strip-prefix', '/h*'], '/h*'],
      [[`host://${host}/f.csv`, '/in.csv', '--strip-prefix', '/x'], undefined],
    ];
    const version = await dataVersion(p);
    for (const [args, path] of cases) {
      const r = await pondCoded(p, 'copy', ...args);
      expect(r.error, args.join(' ')).toMatchObject(
        path ? { code: ErrorCode.INVALID_ARGUMENT, path } : { code: ErrorCode.INVALID_ARGUMENT },
      );
    }
    expect(await readdir(out).catch(() => null)).toBeNull();
    expect(await dataVersion(p)).toBe(version);
  });
});

describe('describe and list take format URLs', () => {
  async function csvPond(): Promise<{ p: string; host: string }> {
    const { p, host } = await pondAndHost();
    await writeFile(join(host, 'r1.csv'), 'timestamp,value\n2026-01-01T00:00:00Z,1.5\n');
    await writeFile(join(host, 'r2.csv'), 'timestamp,value\n2026-01-02T00:00:00Z,2.5\n');
    await pondOk(p, 'mkdir', '/a');
    await pondOk(p, 'copy', `host://${host}/r1.csv`, `host://${host}/r2.csv`, '/a');
    await pondOk(p, 'copy', `host://${host}/r1.csv`, '/a/notes.txt');
    return { p, host };
  }

  it("describe 'csv:///a/*.csv' describes each file as CSV reads it", async () => {
    const { p } = await csvPond();
    const text = (await pondOk(p, 'describe', 'csv:///a/*.csv')).stdout;
    const file = (path: string) =>
      [
        `File: ${path}`,
        'Provider: csv',
        'Schema: 2 fields',
        expect.stringMatching(/^ {2}\* timestamp: Timestamp\(/),
        '  * value: Float64',
        'Timestamp Column: timestamp',
      ] as unknown[];
    expect(text.split('\n')).toEqual([
      'Pattern matched 2 files',
      '',
      '=== Provider Schema Description ===',
      '',
      ...file('/a/r1.csv'),
      '',
      ...file('/a/r2.csv'),
      '',
    ]);
    const json = jsonLines(
      (await pondOk(p, 'describe', 'csv:///a/r1.csv', '--format', 'json')).stdout,
    );
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      path: '/a/r1.csv',
      provider: 'csv',
      entry_type: 'file:physical:version',
      timestamp_column: 'timestamp',
    });
    expect(((json[0]?.schema ?? []) as { name: string }[]).map((c) => c.name)).toEqual([
      'timestamp',
      'value',
    ]);
    // Plain describe keeps its shape, with provider null.
    const plain = jsonLines((await pondOk(p, 'describe', '/a/r1.csv', '--format', 'json')).stdout);
    expect(plain[0]).toMatchObject({ provider: null, format: 'Raw data', schema: null });
    // A file the format cannot read is an error naming it.
    expect((await pond(p, 'describe', 'table:///a/notes.txt')).code).not.toBe(0);
  });

  it('list lists what the URL path matches; host URLs list the host', async () => {
    const { p, host } = await csvPond();
    expect(listedPaths((await pondOk(p, 'list', 'csv:///a/*.csv')).stdout)).toEqual([
      '/a/r1.csv',
      '/a/r2.csv',
    ]);
    expect(listedPaths((await pondOk(p, 'list', 'file:///a/')).stdout)).toEqual([
      '/a/notes.txt',
      '/a/r1.csv',
      '/a/r2.csv',
    ]);
    expect(
      listedPaths((await pondOk(undefined, 'list', `host+csv://${host}/r*.csv`)).stdout),
    ).toEqual([`${host}/r1.csv`, `${host}/r2.csv`]);
    const described = (await pondOk(undefined, 'describe', `host+csv://${host}/r1.csv`)).stdout;
    expect(described).toContain(`File: ${host}/r1.csv\nProvider: host+csv\nSchema: 2 fields\n`);
  });
});

describe('list sizes and ids', () => {
  it('prints B/KB/MB with one decimal, exact bytes with --bytes, 12-digit ids', async () => {
    const { p, host } = await pondAndHost();
    const sizes = [0, 512, 1023, 1024, 1536, 1024 * 1024 + 1, Math.round(12.3 * 1024 * 1024)];
    await pondOk(p, 'mkdir', '/s');
    for (const [i, n] of sizes.entries()) {
      await writeFile(join(host, `f${i}`), Buffer.alloc(n, 7));
    }
    await pondOk(p, 'copy', ...sizes.map((_, i) => `host://${host}/f${i}`), '/s');
    const human = (await pondOk(p, 'list', '/s/*')).stdout.split('\n').filter(Boolean);
    const exact = (await pondOk(p, 'list', '/s/*', '--bytes')).stdout.split('\n').filter(Boolean);
    const sizeOf = (line: string) => line.slice(7, 17).trim();
    expect(human.map(sizeOf)).toEqual([
      '0 B',
      '512 B',
      '1023 B',
      '1.0 KB',
      '1.5 KB',
      '1.0 MB',
      '12.3 MB',
    ]);
    expect(exact.map(sizeOf)).toEqual(sizes.map(String));
    const json = jsonLines((await pondOk(p, 'list', '/s/*', '--format', 'json')).stdout);
    const short = (id: unknown) => String(id).replace(/-/g, '').slice(-12);
    expect(human.map((l) => /\[([0-9a-f]{12})\]@\[([0-9a-f]{12})\]/.exec(l)?.slice(1))).toEqual(
      json.map((r) => [short(r.node_id), short(r.pond_id)]),
    );
    // Every line has the ids at the same column, whatever the size.
    expect(new Set(human.map((l) => l.indexOf('@'))).size).toBe(1);
    expect(json.map((r) => r.size)).toEqual(sizes);
  });

  it('humanSize rounds into the next unit rather than printing 1024.0', () => {
    expect(humanSize(1024 * 1024 - 1)).toBe('1.0 MB');
    expect(humanSize(1024 * 1024 - 60)).toBe('1023.9 KB');
    expect(humanSize(3 * 1024 ** 3)).toBe('3.0 GB');
  });
});

describe('list directories of a fresh pond', () => {
  it('shows - for directories', async () => {
    const dir = await tempDir();
    const p = join(dir, 'p');
    await pondOk(p, 'init');
    await pondOk(p, 'mkdir', '/d');
    expect((await pondOk(p, 'list')).stdout).toMatch(
      /^\[DIR\] {11}- {2}\[[0-9a-f]{12}\]@\[[0-9a-f]{12}\] {2}v1 /,
    );
  });
});

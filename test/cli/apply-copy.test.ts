// SPDX-License-Identifier: Apache-2.0
// `pond apply` with the original DuckPond's document shapes: `kind: copy` of a host
// directory copies its tree, documents apply in dependency order whatever order the file
// lists them, `${env:VAR}` in a copy spec is expanded, and every refusal leaves the pond as
// it was.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOrder, planApply } from '../../ts/apply.js';
import { ErrorCode } from '../../ts/errors.js';
import { dataVersion, pond, pondOk, tempDir, writeParquet } from '../helpers.js';
import { pondCoded } from './coded.js';

interface Setup {
  readonly p: string;
  /** The host root commands get with -d. */
  readonly host: string;
}

async function setup(): Promise<Setup> {
  const dir = await tempDir();
  const host = join(dir, 'host');
  await mkdir(join(host, 'content', 'sub', 'deeper'), { recursive: true });
  await writeFile(join(host, 'content', 'a.csv'), 'x\n1\n2\n');
  await writeFile(join(host, 'content', 'sub', 'b.csv'), 'x\n30\n');
  await writeFile(join(host, 'content', 'sub', 'deeper', 'c.txt'), 'deep\n');
  await mkdir(join(host, 'content', 'empty'));
  const p = join(dir, 'pond');
  await pondOk(p, 'init');
  return { p, host };
}

/** The original's documents, listed children first: the mknod reads what the copy brings
 * into a directory that the last document makes. */
const REVERSED = [
  'version: v1',
  'kind: mknod',
  'metadata:',
  '  path: /site/total',
  'spec:',
  '  factory: sql-derived-table',
  '  config:',
  '    patterns:',
  '      source: "csv:///site/content/sub/b.csv"',
  '    query: "SELECT sum(x) AS s FROM source"',
  '---',
  'version: v1',
  'kind: copy',
  'metadata:',
  '  path: /site/content',
  'spec:',
  '  source: "host:///content"',
  '---',
  'version: v1',
  'kind: mkdir',
  'metadata:',
  '  path: /site',
  '',
].join('\n');

async function yaml(s: Setup, name: string, text: string): Promise<string> {
  const file = join(s.host, name);
  await writeFile(file, text);
  return file;
}

describe('apply order (pure)', () => {
  it('applies removals, directories, copies, then nodes, parents first, nodes in file order', () => {
    const docs = planApply([
      {
        name: 'a.yaml',
        text: [
          'version: v1\nkind: mknod\nmetadata: {path: /z/late}\nspec: {factory: hostmount, config: {directory: /tmp}}',
          'version: v1\nkind: mknod\nmetadata: {path: /a/early}\nspec: {factory: hostmount, config: {directory: /tmp}}',
          'version: v1\nkind: copy\nmetadata: {path: /d/e/f.txt}\nspec: {source: "host:///f.txt"}',
          'version: v1\nkind: copy\nmetadata: {path: /d}\nspec: {source: "host:///dir"}',
          'version: v1\nkind: mkdir\nmetadata: {path: /m/n}',
          'version: v1\nkind: mkdir\nmetadata: {path: /m}',
          'version: v1\nkind: rm\nmetadata: {path: /old}',
        ].join('\n---\n'),
      },
    ]);
    expect(docs.map((d) => `${d.kind} ${d.path}`)).toEqual([
      'rm /old',
      'mkdir /m',
      'mkdir /m/n',
      'copy /d',
      'copy /d/e/f.txt',
      'mknod /z/late',
      'mknod /a/early',
    ]);
    expect(applyOrder([])).toEqual([]);
  });

  it('refuses a document inside a path another removes, and relative or env-less paths', () => {
    const text = [
      'version: v1\nkind: rm\nmetadata: {path: /old}\nspec: {recursive: true}',
      'version: v1\nkind: mkdir\nmetadata: {path: /old/new}',
    ].join('\n---\n');
    expect(() => planApply([{ name: 'x.yaml', text }])).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining('x.yaml document 2: /old/new is inside /old'),
      }),
    );
    expect(() =>
      planApply([{ name: 'r.yaml', text: 'version: v1\nkind: mkdir\nmetadata: {path: rel}' }]),
    ).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }));
    const env =
      'version: v1\nkind: copy\nmetadata: {path: /x}\nspec: {source: "host:///${env:SRC}"}';
    expect(() => planApply([{ name: 'e.yaml', text: env }], {})).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining('environment variable SRC is not set'),
      }),
    );
    const planned = planApply([{ name: 'e.yaml', text: env }], { SRC: 'data/x.csv' });
    expect(planned[0]).toMatchObject({ kind: 'copy', source: 'host:///data/x.csv' });
  });
});

describe('pond apply: kind copy of a host directory', () => {
  it('copies the tree into a directory a later document makes, then the node over it', async () => {
    const s = await setup();
    const file = await yaml(s, 'site.yaml', REVERSED);
    const first = await pondOk(s.p, '-d', s.host, 'apply', '-f', file);
    expect(first.stdout).toBe(
      'created /site\ncreated /site/content\ncreated /site/total\n3 created, 0 updated, 0 unchanged\n',
    );
    const listed = await pondOk(s.p, 'list', '/site/**', '--format', 'json');
    const entries = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; type: string });
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'directory /site',
      'directory /site/content',
      'data /site/content/a.csv',
      'directory /site/content/empty',
      'directory /site/content/sub',
      'data /site/content/sub/b.csv',
      'directory /site/content/sub/deeper',
      'data /site/content/sub/deeper/c.txt',
      'table:dynamic /site/total',
    ]);
    expect((await pondOk(s.p, 'cat', '/site/content/sub/deeper/c.txt')).stdout).toBe('deep\n');
    expect((await pondOk(s.p, 'cat', '/site/content/a.csv')).stdout).toBe('x\n1\n2\n');
    const total = await pondOk(s.p, 'sql', "SELECT s FROM '/site/total'", '--format', 'csv');
    expect(total.stdout).toBe('s\n30\n');

    // The same files again: every document unchanged, nothing committed.
    const version = await dataVersion(s.p);
    const again = await pondOk(s.p, '-d', s.host, 'apply', '-f', file);
    expect(again.stdout).toBe(
      'unchanged /site\nunchanged /site/content\nunchanged /site/total\n0 created, 0 updated, 3 unchanged\n',
    );
    expect(await dataVersion(s.p)).toBe(version);
  });

  it('refuses a changed file without overwrite, versions it with overwrite: true', async () => {
    const s = await setup();
    const plain = await yaml(
      s,
      'copy.yaml',
      'version: v1\nkind: copy\nmetadata:\n  path: /content\nspec:\n  source: "host:///content"\n',
    );
    await pondOk(s.p, '-d', s.host, 'apply', '-f', plain);
    await writeFile(join(s.host, 'content', 'sub', 'b.csv'), 'x\n31\n');
    await writeFile(join(s.host, 'content', 'new.txt'), 'new\n');
    const version = await dataVersion(s.p);
    const refused = await pondCoded(s.p, '-d', s.host, 'apply', '-f', plain);
    expect(refused.error).toMatchObject({
      code: ErrorCode.ALREADY_EXISTS,
      path: '/content/sub/b.csv',
    });
    expect(await dataVersion(s.p)).toBe(version);
    expect((await pond(s.p, 'cat', '/content/new.txt')).code).not.toBe(0);

    const overwrite = await yaml(
      s,
      'overwrite.yaml',
      'version: v1\nkind: copy\nmetadata:\n  path: /content\nspec:\n  source: "host:///content"\n  overwrite: true\n',
    );
    const updated = await pondOk(s.p, '-d', s.host, 'apply', '-f', overwrite);
    expect(updated.stdout).toBe('updated /content\n0 created, 1 updated, 0 unchanged\n');
    expect((await pondOk(s.p, 'cat', '/content/sub/b.csv')).stdout).toBe('x\n31\n');
    expect((await pondOk(s.p, 'cat', '/content/sub/b.csv', '--version', '1')).stdout).toBe(
      'x\n30\n',
    );
    expect((await pondOk(s.p, 'cat', '/content/new.txt')).stdout).toBe('new\n');
    // a.csv did not change, so it keeps one version
    const history = await pondOk(s.p, 'history', '/content/a.csv', '--format', 'json');
    expect(history.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('copies a directory of Parquet files as tables, with ${env:VAR} in the source', async () => {
    const s = await setup();
    await mkdir(join(s.host, 'tables'));
    await writeParquet(join(s.host, 'tables', 't1.parquet'), 'SELECT 1 AS n UNION ALL SELECT 2');
    await writeParquet(join(s.host, 'tables', 't2.parquet'), 'SELECT 40 AS n');
    const file = await yaml(
      s,
      'tables.yaml',
      'version: v1\nkind: copy\nmetadata:\n  path: /t\nspec:\n  source: "host+table:///${env:POND_TEST_TABLE_DIR}"\n',
    );
    process.env.POND_TEST_TABLE_DIR = 'tables';
    try {
      await pondOk(s.p, '-d', s.host, 'apply', '-f', file);
    } finally {
      delete process.env.POND_TEST_TABLE_DIR;
    }
    const sum = await pondOk(
      s.p,
      'sql',
      "SELECT sum(n) AS s FROM '/t/*.parquet'",
      '--format',
      'csv',
    );
    expect(sum.stdout).toBe('s\n43\n');
    const types = await pondOk(s.p, 'list', '-l', '/t/*');
    expect(
      types.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]),
    ).toEqual(['table', 'table']);
  });

  it('refuses a missing source, a directory onto a file and non-Parquet tables, writing nothing', async () => {
    const s = await setup();
    await pondOk(s.p, 'copy', `host://${s.host}/content/a.csv`, '/file');
    const version = await dataVersion(s.p);
    const cases: [string, string, string?][] = [
      ['spec:\n  source: "host:///nope"\nmetadata:\n  path: /x', ErrorCode.NOT_FOUND],
      [
        'spec:\n  source: "host:///content"\nmetadata:\n  path: /file',
        ErrorCode.NOT_A_DIRECTORY,
        '/file',
      ],
      [
        'spec:\n  source: "host+table:///content"\nmetadata:\n  path: /tables',
        ErrorCode.INVALID_DATA,
      ],
      ['spec:\n  source: "/content"\nmetadata:\n  path: /y', ErrorCode.INVALID_CONFIG],
      [
        'spec:\n  source: "host:///content"\n  extra: 1\nmetadata:\n  path: /y',
        ErrorCode.INVALID_CONFIG,
      ],
    ];
    for (const [body, code, path] of cases) {
      const file = await yaml(s, 'bad.yaml', `version: v1\nkind: copy\n${body}\n`);
      const r = await pondCoded(s.p, '-d', s.host, 'apply', '-f', file);
      expect(r.error, body).toMatchObject(path ? { code, path } : { code });
      expect(await dataVersion(s.p)).toBe(version);
    }
  });
});

// SPDX-License-Identifier: Apache-2.0
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planApply } from '../../ts/apply.js';
import { dataVersion, pond, pondOk, tempDir } from '../helpers.js';

describe('planApply (pure)', () => {
  it('parses documents and names the bad one', () => {
    const docs = planApply([
      {
        name: 'a.yaml',
        text: 'version: v1\nkind: mkdir\nmetadata: {path: /a}\n---\nversion: v1\nkind: mknod\nmetadata: {path: /a/m}\nspec: {factory: hostmount, config: {directory: /tmp}}\n',
      },
    ]);
    expect(docs.map((d) => [d.kind, d.path])).toEqual([
      ['mkdir', '/a'],
      ['mknod', '/a/m'],
    ]);
    expect(() =>
      planApply([
        {
          name: 'b.yaml',
          text: 'version: v1\nkind: mkdir\nmetadata: {path: /a}\n---\nversion: v2\nkind: mkdir\nmetadata: {path: /b}\n',
        },
      ]),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining('b.yaml document 2'),
      }),
    );
  });
});

describe('pond apply', () => {
  it('creates, then reports unchanged without a transaction; invalid batches write nothing', async () => {
    const dir = await tempDir();
    const p = join(dir, 'pond');
    const host = join(dir, 'host');
    await mkdir(host);
    await pondOk(p, 'init');
    await writeFile(join(host, 'r.csv'), 'x\n1\n');
    const file = join(host, 'pond.yaml');
    await writeFile(
      file,
      [
        'version: v1',
        'kind: mkdir',
        'metadata: {path: /data}',
        '---',
        'version: v1',
        'kind: copy',
        'metadata: {path: /data/r.csv}',
        `spec: {source: "host://${host}/r.csv"}`,
        '---',
        'version: v1',
        'kind: mknod',
        'metadata: {path: /data/mnt}',
        'spec:',
        '  factory: hostmount',
        `  config: {directory: ${host}}`,
        '',
      ].join('\n'),
    );
    const first = await pondOk(p, 'apply', '-f', file);
    expect(first.stdout).toBe(
      'created /data\ncreated /data/r.csv\ncreated /data/mnt\n3 created, 0 updated, 0 unchanged\n',
    );
    const log = (await pondOk(p, 'log')).stdout;
    const second = await pondOk(p, 'apply', '-f', file);
    expect(second.stdout).toBe(
      'unchanged /data\nunchanged /data/r.csv\nunchanged /data/mnt\n0 created, 0 updated, 3 unchanged\n',
    );
    expect((await pondOk(p, 'log')).stdout).toBe(log);

    await writeFile(join(host, 'r.csv'), 'x\n2\n');
    const needsOverwrite = await pond(p, 'apply', '-f', file);
    expect(needsOverwrite.stderr).toContain('set overwrite: true');
    const version = await dataVersion(p);
    const bad = join(host, 'bad.yaml');
    await writeFile(
      bad,
      'version: v1\nkind: mkdir\nmetadata: {path: /new}\n---\nversion: v1\nkind: mknod\nmetadata: {path: /x}\nspec: {factory: hostmount, config: {nope: 1}}\n',
    );
    const invalid = await pond(p, 'apply', '-f', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('unknown key "nope"');
    expect(await dataVersion(p)).toBe(version);
    expect((await pond(p, 'list', '/new')).stdout).toBe('');
  });
});

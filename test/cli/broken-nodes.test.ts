// SPDX-License-Identifier: Apache-2.0
/** One broken dynamic node must not break the pond: walks skip and report it. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listedPaths, pond, pondAndHost, pondOk } from '../helpers.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

interface Kind {
  readonly name: string;
  /** Make `/bad` broken in pond `p` (host scratch dir `host`). */
  make(p: string, host: string): Promise<void>;
}

async function cfg(host: string, name: string, text: string): Promise<string> {
  const file = join(host, `${name}.yaml`);
  await writeFile(file, text);
  return file;
}

const KINDS: readonly Kind[] = [
  {
    name: 'hostmount of a missing directory',
    async make(p, host) {
      const dir = join(host, 'gone');
      await mkdir(dir);
      await pondOk(p, 'mknod', 'hostmount', '/bad', await cfg(host, 'hm', `directory: ${dir}\n`));
      await rm(dir, { recursive: true });
    },
  },
  {
    name: 'unset ${env:VAR}',
    async make(p, host) {
      process.env.POND_BROKEN_TEST_DIR = host;
      try {
        const text = 'directory: "${env:POND_BROKEN_TEST_DIR}"\n';
        await pondOk(p, 'mknod', 'hostmount', '/bad', await cfg(host, 'env', text));
      } finally {
        delete process.env.POND_BROKEN_TEST_DIR;
      }
    },
  },
  {
    name: 'template whose template file is gone',
    async make(p, host) {
      const text = 'in_pattern: "/in/*.csv"\nout_pattern: "$0.md"\ntemplate_file: /page.j2\n';
      await pondOk(p, 'mknod', 'template', '/bad', await cfg(host, 't', text));
    },
  },
];

async function brokenPond(kind: Kind): Promise<{ p: string; host: string }> {
  const { p, host } = await pondAndHost();
  await mkdir(join(host, 'src'));
  await writeFile(join(host, 'src', 'a.csv'), 'x\n1\n');
  await pondOk(p, 'mkdir', '/in');
  await pondOk(p, 'copy', `host://${host}/src/a.csv`, '/in/a.csv');
  await kind.make(p, host);
  return { p, host };
}

function expectReported(stderr: string): void {
  expect(stderr).toMatch(/^\[ERR\] \/bad: /m);
  expect(stderr).not.toMatch(UUID);
}

describe.each(KINDS)('a broken node: $name', (kind) => {
  it('list reports it and goes on; --strict fails', async () => {
    const { p } = await brokenPond(kind);
    const res = await pond(p, 'list');
    expect(res.code).toBe(0);
    expect(listedPaths(res.stdout)).toContain('/in/a.csv');
    expectReported(res.stderr);
    const strict = await pond(p, 'list', '--strict');
    expect(strict.code).not.toBe(0);
    expect(listedPaths(strict.stdout)).toContain('/in/a.csv');
    expect(strict.stderr).not.toMatch(UUID);
  });

  it('describe reports it and goes on', async () => {
    const { p } = await brokenPond(kind);
    const res = await pond(p, 'describe');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('/in/a.csv');
    expectReported(res.stderr);
  });

  it("copy '/**' out reports it and copies the rest", async () => {
    const { p, host } = await brokenPond(kind);
    const out = join(host, 'out');
    await mkdir(out);
    const res = await pond(p, 'copy', '/**', `host://${out}`);
    expect(res.code).toBe(0);
    expect(await readdir(join(out, 'in'))).toEqual(['a.csv']);
    expectReported(res.stderr);
  });

  it('a ** glob query walks past it', async () => {
    const { p } = await brokenPond(kind);
    const res = await pondOk(p, 'sql', "SELECT count(*) AS n FROM 'csv:///**/*.csv'");
    expect(res.stdout).toContain('1');
  });

  it('naming it fails, with its path and no node id', async () => {
    const { p } = await brokenPond(kind);
    const res = await pond(p, 'list', '--strict', '/bad/*');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('/bad');
    expect(res.stderr).not.toMatch(UUID);
  });
});

describe('mknod refuses captures a name cannot be made from', () => {
  it.each([
    ['template', 'in_pattern: "/in/*.csv"\nout_pattern: "$3.md"\ntemplate_file: /p.j2\n'],
    ['template', 'in_pattern: "/**/*.csv"\nout_pattern: "$0.md"\ntemplate_file: /p.j2\n'],
    [
      'temporal-reduce',
      'in_pattern: "/**/*.series"\nout_pattern: "$0"\nresolutions: [1h]\naggregations: [{type: avg}]\n',
    ],
  ])('%s: %s', async (factory, text) => {
    const { p, host } = await pondAndHost();
    const res = await pond(p, 'mknod', factory, '/bad', await cfg(host, 'c', text));
    expect(res.stderr).toContain('INVALID_CONFIG');
    expect(res.stderr).not.toMatch(UUID);
    expect(listedPaths((await pondOk(p, 'list')).stdout)).not.toContain('/bad');
  });
});

// SPDX-License-Identifier: Apache-2.0
// A library user's own factory, through the public API only: defined with defineFactory and
// a config schema, registered beside pond's own, stored with mknod and read with SQL. The
// environment a pond is opened with (registry, host root, ${env:} values) is the one its
// nodes use.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultRegistry,
  defineFactory,
  ErrorCode,
  Pond,
  PondError,
  schema,
  type TableSpec,
} from '../../ts/index.js';
import { codeOf, tempDir } from '../helpers.js';

/** `rows` rows (default 3) of `value` and `label`, computed on read. */
const constant = defineFactory({
  name: 'constant',
  description: 'a column holding one value',
  config: schema.obj({ value: schema.num }, { rows: schema.num, label: schema.str }),
  async table(config, ctx): Promise<TableSpec> {
    const label = `'${(config.label ?? '').replace(/'/g, "''")}'`;
    const sql = `SELECT ${config.value} AS value, ${label} AS label, n FROM generate_series(1, ${config.rows ?? 3}) AS t(n)`;
    return { kind: 'view', label: ctx.path, sql, tables: {} };
  },
});

const sum = async (pond: Pond, sql: string): Promise<number[]> => {
  const row = (await pond.sql(sql)).toArray()[0];
  return Object.values(row?.toJSON() ?? {}).map(Number);
};

describe('a custom factory', () => {
  it('is registered beside the shipped ones, stored with mknod and read with SQL', async () => {
    const dir = join(await tempDir(), 'p');
    const registry = defaultRegistry().with(constant);
    const pond = await Pond.create(dir, { registry });
    await pond.transaction(async (tx) => {
      await tx.mknod('/c', 'constant', 'value: 7\nrows: 4\n');
      // The shipped factories are still there.
      await tx.mknod('/s', 'sql-derived-table', 'patterns:\n  source: /c\n');
    });
    expect(await sum(pond, `SELECT count(*) AS n, sum(value) AS total FROM '/c'`)).toEqual([4, 28]);
    expect(await sum(pond, `SELECT max(n) AS top FROM '/s'`)).toEqual([4]);
    const reopened = await Pond.open(dir, { registry });
    expect(await sum(reopened, `SELECT count(*) FROM '/c'`)).toEqual([4]);
  });

  it('checks its config at mknod with the schema it declares', async () => {
    const pond = await Pond.create(join(await tempDir(), 'p'), {
      registry: defaultRegistry().with(constant),
    });
    const bad = pond.transaction((tx) => tx.mknod('/c', 'constant', 'value: seven\n'));
    await expect(bad).rejects.toThrow(/value: expected a number/);
    expect(await codeOf(bad)).toBe(ErrorCode.INVALID_CONFIG);
    const unknown = pond.transaction((tx) => tx.mknod('/c', 'constant', 'value: 1\nextra: 2\n'));
    expect(await codeOf(unknown)).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('is unknown to a pond opened without it, and its name cannot be taken twice', async () => {
    const dir = join(await tempDir(), 'p');
    const registry = defaultRegistry().with(constant);
    await (await Pond.create(dir, { registry })).transaction((tx) =>
      tx.mknod('/c', 'constant', 'value: 1\n'),
    );
    const plain = await Pond.open(dir);
    await expect(plain.sql(`SELECT * FROM '/c'`)).rejects.toThrow(/unknown factory "constant"/);
    expect(() => registry.with(constant)).toThrow(PondError);
  });
});

describe('the environment a pond is opened with', () => {
  it('roots host+ URLs at its hostRoot', async () => {
    const host = await tempDir();
    await writeFile(join(host, 'r.csv'), 'a,b\n1,2\n3,4\n');
    const dir = join(await tempDir(), 'p');
    const pond = await Pond.create(dir, { hostRoot: host });
    expect(await sum(pond, `SELECT sum(a) AS a FROM 'host+csv:///r.csv'`)).toEqual([4]);
    const fromSlash = await Pond.open(dir);
    expect(await codeOf(fromSlash.sql(`SELECT * FROM 'host+csv:///r.csv'`))).toBe('NOT_FOUND');
  });

  it('expands ${env:} in configs from its env, not the process', async () => {
    const pond = await Pond.create(join(await tempDir(), 'p'), {
      registry: defaultRegistry().with(constant),
      env: { POND_TEST_LABEL: 'from the environment' },
    });
    expect(process.env.POND_TEST_LABEL).toBeUndefined();
    await pond.transaction((tx) =>
      tx.mknod('/c', 'constant', 'value: 1\nlabel: ${env:POND_TEST_LABEL}\n'),
    );
    const t = await pond.sql(`SELECT DISTINCT label FROM '/c'`);
    expect(t.toArray().map((r) => r.label)).toEqual(['from the environment']);
  });
});

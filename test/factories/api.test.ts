// SPDX-License-Identifier: Apache-2.0
/** Every factory through the library API: Transaction.mknod, then list / read / sql. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { readingsSql, tempDir, writeParquet } from '../helpers.js';

describe('factories through the library', () => {
  it('mounts, derives, combines, synthesises, renders and lists', async () => {
    const dir = await tempDir();
    const host = join(dir, 'host');
    await mkdir(host);
    await writeFile(join(host, 'h.txt'), 'from host');
    const pq = join(dir, 'v.parquet');
    await writeParquet(pq, readingsSql('2024-05-01T00:00:00Z', 20));
    const pond = await Pond.create(join(dir, 'p'));
    const outcome = await pond.transaction(async (tx) => {
      await tx.copyIn(pq, '/raw.series', { entryType: EntryType.TablePhysicalSeries });
      await tx.mkdir('/in');
      await tx.write('/in/a.csv', 'x\n4\n');
      await tx.write('/tpl.j2', '{{ captures[0] }}!');
      await tx.mknod('/mnt', 'hostmount', `directory: ${host}\n`);
      await tx.mknod(
        '/d',
        'sql-derived-table',
        'patterns:\n  source: /raw.series\nquery: SELECT count(*) AS c FROM source\n',
      );
      await tx.mknod('/all', 'combine', 'patterns: ["/raw.series"]\n');
      await tx.mknod('/csv', 'csvdir', 'source: /in/*.csv\n');
      await tx.mknod(
        '/r',
        'template',
        'in_pattern: /in/*.csv\nout_pattern: $0.txt\ntemplate_file: /tpl.j2\n',
      );
      await tx.mknod(
        '/syn',
        'synthetic-timeseries',
        'start: 2024-01-01T00:00:00Z\nend: 2024-01-01T00:04:00Z\ninterval: 1m\npoints: [{name: v, components: [{type: triangle, amplitude: 1, period: 4m}]}]\n',
      );
      await tx.mknod(
        '/dd',
        'dynamic-dir',
        `entries:\n  - {name: m, factory: hostmount, config: {directory: ${host}}}\n`,
      );
      return tx.mknod('/mnt', 'hostmount', `directory: ${host}\n`);
    });
    expect(outcome).toBe('unchanged');
    expect((await pond.list('/*')).map((e) => [e.path, e.entryType])).toEqual([
      ['/all', 'table:dynamic'],
      ['/csv', 'dir:dynamic'],
      ['/d', 'table:dynamic'],
      ['/dd', 'dir:dynamic'],
      ['/in', 'dir:physical'],
      ['/mnt', 'dir:dynamic'],
      ['/r', 'dir:dynamic'],
      ['/raw.series', 'table:physical:series'],
      ['/syn', 'table:dynamic'],
      ['/tpl.j2', 'file:physical:version'],
    ]);
    expect(new TextDecoder().decode(await pond.read('/mnt/h.txt'))).toBe('from host');
    expect(new TextDecoder().decode(await pond.read('/dd/m/h.txt'))).toBe('from host');
    expect(new TextDecoder().decode(await pond.read('/r/a.txt'))).toBe('a!');
    expect((await pond.sql(`SELECT c FROM '/d'`)).getChild('c')?.get(0)).toBe(20n);
    expect((await pond.sql(`SELECT count(*) AS n FROM '/all'`)).getChild('n')?.get(0)).toBe(20n);
    expect((await pond.sql(`SELECT sum(x) AS s FROM '/csv/a'`)).getChild('s')?.get(0)).toBe(4n);
    const tri = await pond.sql(`SELECT v FROM '/syn' ORDER BY timestamp`);
    expect(
      [...(tri.getChild('v')?.toArray() ?? [])].map((x: number) => Math.round(x * 1000) / 1000 + 0),
    ).toEqual([-1, 0, 1, 0, -1]); // the original's triangle: from -amplitude, peak at P/2
    const parquet = await pond.read('/d');
    expect(Buffer.from(parquet.subarray(0, 4)).toString()).toBe('PAR1');
  });

  it('refuses bad configs with INVALID_CONFIG and writes in read-only places with READ_ONLY', async () => {
    const dir = await tempDir();
    const pond = await Pond.create(join(dir, 'p'));
    await expect(pond.transaction((tx) => tx.mknod('/x', 'nope', 'a: 1'))).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    await expect(
      pond.transaction((tx) => tx.mknod('/x', 'hostmount', 'directory: /tmp\nbad: 1')),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    await pond.transaction((tx) => tx.mknod('/m', 'hostmount', `directory: ${dir}`));
    await expect(pond.transaction((tx) => tx.write('/m/new.txt', 'x'))).rejects.toMatchObject({
      code: 'READ_ONLY',
    });
    expect((await pond.list('/*')).map((e) => e.path)).toEqual(['/m']);
  });
});

// SPDX-License-Identifier: Apache-2.0
// tx.write with a caller's own apache-arrow data: Tables, RecordBatches and async iterables
// of batches become table and series versions; anything else is a coded INVALID_ARGUMENT.
import { join } from 'node:path';
import {
  Table as ArrowTable,
  type RecordBatch,
  type Table,
  TimestampMicrosecond,
  tableFromArrays,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EntryType, Pond } from '../../ts/index.js';
import { codeOf, tempDir } from '../helpers.js';

const START_US = Date.UTC(2026, 0, 1) * 1000;

/** `n` readings an hour apart from `first`, with a microsecond timestamp column (built,
 * as apache-arrow takes them, from milliseconds). */
function readings(n: number, first = 0): Table {
  const ms = Array.from({ length: n }, (_, i) => START_US / 1000 + (first + i) * 3_600_000);
  return new ArrowTable({
    timestamp: vectorFromArray(ms, new TimestampMicrosecond('UTC')),
    level: vectorFromArray(Array.from({ length: n }, (_, i) => first + i + 0.5)),
  });
}

async function* asyncBatches(batches: readonly RecordBatch[]): AsyncIterable<RecordBatch> {
  yield* batches;
}

async function count(pond: Pond, path: string): Promise<number> {
  const t = await pond.sql(`SELECT count(*) AS n FROM '${path}'`);
  return Number(t.getChild('n')?.get(0));
}

describe('tx.write with apache-arrow data', () => {
  it('stores a Table, a RecordBatch and an async iterable of batches, read back exactly', async () => {
    const pond = await Pond.create(join(await tempDir(), 'p'));
    const two = new ArrowTable([...readings(3).batches, ...readings(2, 3).batches]);
    await pond.transaction(async (tx) => {
      await tx.write('/table.table', readings(4));
      await tx.write('/batch.table', readings(5).batches[0] as RecordBatch);
      await tx.write('/iter.series', asyncBatches(two.batches), {
        entryType: EntryType.TablePhysicalSeries,
      });
    });
    expect(await count(pond, '/table.table')).toBe(4);
    expect(await count(pond, '/batch.table')).toBe(5);
    expect(await count(pond, '/iter.series')).toBe(5);
    const [entry] = await pond.list('/iter.series');
    expect(entry?.entryType).toBe(EntryType.TablePhysicalSeries);
    const back = await pond.sql(`SELECT timestamp, level FROM '/iter.series' ORDER BY timestamp`);
    expect(String(back.schema.fields[0]?.type)).toBe('Timestamp<MICROSECOND, UTC>');
    // What a user sees: get() on a µs timestamp column yields milliseconds since the epoch.
    expect(back.getChild('timestamp')?.get(0)).toBe(START_US / 1000);
    expect(new Date(back.getChild('timestamp')?.get(4) as number).toISOString()).toBe(
      '2026-01-01T04:00:00.000Z',
    );
    expect(back.getChild('level')?.toArray()).toEqual(new Float64Array([0.5, 1.5, 2.5, 3.5, 4.5]));
  });

  it('a series of Arrow versions is the union of them, with event-time bounds', async () => {
    const pond = await Pond.create(join(await tempDir(), 'p'));
    for (const first of [0, 10]) {
      await pond.transaction((tx) =>
        tx.write('/s.series', readings(10, first), { entryType: EntryType.TablePhysicalSeries }),
      );
    }
    expect(await count(pond, '/s.series')).toBe(20);
    const [entry] = await pond.list('/s.series');
    expect(entry?.version).toBe(2);
  });

  it('tableFromArrays data with a default entry type becomes a table', async () => {
    const pond = await Pond.create(join(await tempDir(), 'p'));
    await pond.transaction((tx) =>
      tx
        .mkdir('/lab')
        .then(() => tx.write('/lab/ph.table', tableFromArrays({ id: [1, 2], ph: [7.1, 7.3] }))),
    );
    const [entry] = await pond.list('/lab/ph.table');
    expect(entry?.entryType).toBe(EntryType.TablePhysicalVersion);
    const t = await pond.sql(`SELECT sum(ph) AS s FROM '/lab/ph.table'`);
    expect(t.getChild('s')?.get(0)).toBeCloseTo(14.4);
  });

  const refused: [string, () => unknown, EntryType | undefined][] = [
    ['a number', () => 42, undefined],
    ['a plain object', () => ({ rows: [1, 2] }), undefined],
    ['null', () => null, undefined],
    ['an array of rows', () => [{ a: 1 }], undefined],
    [
      'an async iterable of strings',
      () => asyncBatches(['x' as unknown as RecordBatch]),
      undefined,
    ],
    ['a Table as a raw file', () => readings(2), EntryType.FilePhysicalVersion],
    [
      'batches of two schemas',
      () =>
        asyncBatches([
          readings(2).batches[0] as RecordBatch,
          tableFromArrays({ other: [1] }).batches[0] as RecordBatch,
        ]),
      EntryType.TablePhysicalVersion,
    ],
  ];
  it.each(refused)(
    'refuses %s with INVALID_ARGUMENT and commits nothing',
    async (_, make, type) => {
      const pond = await Pond.create(join(await tempDir(), 'p'));
      const before = await pond.list('/**');
      const code = await codeOf(
        pond.transaction((tx) =>
          tx.write('/x.table', make() as never, type ? { entryType: type } : {}),
        ),
      );
      expect(code).toBe('INVALID_ARGUMENT');
      expect(await pond.list('/**')).toEqual(before);
    },
  );
});

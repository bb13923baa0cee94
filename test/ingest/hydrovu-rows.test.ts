// SPDX-License-Identifier: Apache-2.0
/** Wide rows from HydroVu pages (pure): merge, names, order, nulls, one column for two ids. */

import { describe, expect, it } from 'vitest';
import type { Dictionary, LocationPage } from '../../ts/ingest/hydrovu/model.js';
import { parsePage } from '../../ts/ingest/hydrovu/model.js';
import { mergePages, toRecordBatch, wideRows } from '../../ts/ingest/hydrovu/rows.js';

const NAMES: Dictionary = {
  parameters: new Map([
    ['1', 'Temperature'],
    ['4', 'Specific Conductivity'],
    ['9', 'Temperature'],
  ]),
  units: new Map([
    ['1', 'C'],
    ['17', 'uS/cm'],
  ]),
};

function page(parameters: Array<[string, string, Array<[number, number | null]>]>): LocationPage {
  return parsePage(
    JSON.stringify({
      locationId: 1,
      parameters: parameters.map(([parameterId, unitId, rs]) => ({
        parameterId,
        unitId,
        customParameter: false,
        readings: rs.map(([timestamp, value]) => ({ timestamp, value })),
      })),
    }),
    'test page',
  );
}

describe('hydrovu rows', () => {
  it('merges pages per parameter, appending readings of one seen before', () => {
    const merged = mergePages([
      page([['1', '1', [[10, 1]]]]),
      page([
        ['4', '17', [[10, 2]]],
        ['1', '1', [[20, 3]]],
      ]),
    ]);
    expect(merged.map((p) => [p.parameterId, p.readings.length])).toEqual([
      ['1', 2],
      ['4', 1],
    ]);
  });

  it('one row per distinct time, ascending; columns in byte order; a missing id stands for itself', () => {
    const rows = wideRows(
      [
        page([
          [
            '4',
            '17',
            [
              [30, 4310],
              [10, 4300],
            ],
          ],
          ['1', '1', [[20, 12.5]]],
          ['77', '5', [[10, 1]]],
        ]),
      ],
      NAMES,
    );
    expect(rows.times).toEqual([10, 20, 30]);
    expect(rows.columns).toEqual([
      ['77.5', [1, null, null]],
      ['Specific Conductivity.uS/cm', [4300, null, 4310]],
      ['Temperature.C', [null, 12.5, null]],
    ]);
  });

  it('a null reading is NULL; two ids with one name share the column without erasing', () => {
    const rows = wideRows(
      [
        page([
          [
            '1',
            '1',
            [
              [10, 1],
              [20, 2],
              [30, null],
            ],
          ],
          [
            '9',
            '1',
            [
              [20, 9],
              [40, 4],
            ],
          ],
        ]),
      ],
      NAMES,
    );
    expect(rows.columns).toEqual([['Temperature.C', [1, 9, null, 4]]]);
  });

  it('builds the original schema: Timestamp(Second, +00:00) non-null, then Float64', () => {
    const batch = toRecordBatch(
      wideRows(
        [
          page([
            [
              '1',
              '1',
              [
                [1_700_000_100, null],
                [1_700_000_400, 12.6],
              ],
            ],
          ]),
        ],
        NAMES,
      ),
    );
    expect(batch.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ['timestamp', 'Timestamp<SECOND, +00:00>', false],
      ['Temperature.C', 'Float64', true],
    ]);
    expect(batch.getChild('timestamp')?.toArray()).toEqual(
      BigInt64Array.from([1_700_000_100n, 1_700_000_400n]),
    );
    expect([...(batch.getChild('Temperature.C') ?? [])]).toEqual([null, 12.6]);
  });

  it('a reading value that is neither a number nor null fails the page', () => {
    expect(() => page([['1', '1', [[10, 'x' as unknown as number]]]])).toThrow(/value/);
  });
});

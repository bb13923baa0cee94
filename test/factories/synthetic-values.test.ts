// SPDX-License-Identifier: Apache-2.0
/**
 * synthetic-timeseries against the original's formulas (REFERENCE-ORIGINAL §8): configs in
 * the original's shape go through `pond mknod`, are read back with real SQL, and every value
 * is compared with one computed here from the formulas alone; then the grid, the schema and
 * every validation rule.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Pond } from '../../ts/index.js';
import { dataVersion, hostConfig, pond, pondAndHost, pondOk } from '../helpers.js';

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

async function mknod(path: string, yaml: string): Promise<void> {
  await pondOk(p, 'mknod', 'synthetic-timeseries', path, await hostConfig(host, 'syn', yaml));
}

/** Every row of `sql` as plain objects (timestamps as epoch ms). */
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const db = await Pond.open(p);
  return (await db.sql(sql)).toArray().map((r) => r.toJSON() as Record<string, unknown>);
}

interface Wave {
  readonly type: 'sine' | 'triangle' | 'square' | 'line';
  readonly amplitude?: number;
  readonly period?: number;
  readonly offset?: number;
  readonly phase?: number;
  readonly slope?: number;
}

/** A component at t seconds, straight from §8 (Rust `signum` and `rem_euclid` semantics). */
function formula(w: Wave, t: number): number {
  const a = w.amplitude ?? 0;
  const o = w.offset ?? 0;
  const phase = w.phase ?? 0;
  const P = w.period ?? Number.NaN;
  switch (w.type) {
    case 'line':
      return o + (w.slope ?? 0) * t;
    case 'sine':
      return o + a * Math.sin((2 * Math.PI * t) / P + phase);
    case 'square': {
      const s = Math.sin((2 * Math.PI * t) / P + phase);
      return o + a * (s > 0 || Object.is(s, 0) ? 1 : -1);
    }
    case 'triangle': {
      let u = (t / P + phase / (2 * Math.PI)) % 1;
      if (u < 0) u += 1;
      return o + a * (u < 0.5 ? 4 * u - 1 : 3 - 4 * u);
    }
  }
}

function close(actual: unknown, expected: number, what: string): void {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThan(
    1e-9 * Math.max(1, Math.abs(expected)),
  );
}

describe('values', () => {
  it('matches the formulas for every component type and several phases', async () => {
    const phases = [0, Math.PI / 2, Math.PI, -Math.PI / 4, 2.5, 7];
    const waves: Array<[string, Wave]> = [];
    for (const [i, phase] of phases.entries()) {
      waves.push([`sine${i}`, { type: 'sine', amplitude: 2.5, period: 3600, offset: 10, phase }]);
      waves.push([`tri${i}`, { type: 'triangle', amplitude: 4, period: 5400, offset: -1, phase }]);
      waves.push([`sq${i}`, { type: 'square', amplitude: 1.5, period: 1800, offset: 0.5, phase }]);
    }
    waves.push(['line', { type: 'line', slope: 0.001, offset: 3 }]);
    waves.push(['flat', { type: 'sine', period: 3600, offset: 7 }]); // amplitude defaults to 0
    const yamlOf = (w: Wave) => {
      const fields = Object.entries(w).map(([k, v]) =>
        k === 'period' ? `period: "${v === 5400 ? '1h30m' : `${v}s`}"` : `${k}: ${v}`,
      );
      return `      - {${fields.join(', ')}}`;
    };
    const yaml = [
      'start: "2024-03-10T06:00:00Z"',
      'end: "2024-03-10T09:00:00Z"',
      'interval: "7m"',
      'points:',
      ...waves.flatMap(([name, w]) => [`  - name: "${name}"`, '    components:', yamlOf(w)]),
      '  - name: "sum"',
      '    components:',
      yamlOf({ type: 'sine', amplitude: 2, period: 3600, offset: 1, phase: 0.3 }),
      yamlOf({ type: 'triangle', amplitude: 1, period: 5400 }),
      yamlOf({ type: 'line', slope: -0.0005 }),
      '',
    ].join('\n');
    await mknod('/waves', yaml);
    const got = await rows(`SELECT * FROM '/waves' ORDER BY timestamp`);
    const start = Date.parse('2024-03-10T06:00:00Z');
    expect(got).toHaveLength(Math.floor((3 * 3600) / 420) + 1);
    for (const [i, row] of got.entries()) {
      const t = (i * 420_000) / 1000;
      expect(row.timestamp).toBe(start + i * 420_000);
      for (const [name, w] of waves) close(row[name], formula(w, t), `${name} at t=${t}`);
      const sum =
        formula({ type: 'sine', amplitude: 2, period: 3600, offset: 1, phase: 0.3 }, t) +
        formula({ type: 'triangle', amplitude: 1, period: 5400 }, t) +
        formula({ type: 'line', slope: -0.0005 }, t);
      close(row.sum, sum, `sum at t=${t}`);
    }
  });

  it('starts a triangle at -amplitude, peaks at P/2; a square is +amplitude at 0 and at P/2', async () => {
    await mknod(
      '/shape',
      [
        'start: "2024-01-01T00:00:00Z"',
        'end: "2024-01-01T02:00:00Z"',
        'interval: "15m"',
        'points:',
        '  - name: tri',
        '    components: [{type: triangle, amplitude: 3, period: "1h", offset: 10}]',
        '  - name: sq',
        '    components: [{type: square, amplitude: 2, period: "1h"}]',
        '  - name: cosine',
        '    components: [{type: sine, amplitude: 1, period: "1h", phase: 1.5707963267948966}]',
        '',
      ].join('\n'),
    );
    const got = await rows(`SELECT tri, sq, round(cosine, 12) AS cosine FROM '/shape'`);
    // every 15 minutes over two periods of one hour
    const column = (name: string) => got.map((r) => (r[name] as number) + 0); // -0 as 0
    expect(column('tri')).toEqual([7, 10, 13, 10, 7, 10, 13, 10, 7]);
    expect(column('sq')).toEqual([2, 2, 2, -2, -2, 2, 2, -2, -2]);
    expect(column('cosine')).toEqual([1, 0, -1, 0, 1, 0, -1, 0, 1]);
  });
});

describe('grid and schema', () => {
  it('includes an end on the grid, stops before an end off it', async () => {
    const cfg = (end: string) =>
      `start: 2024-01-01T00:00:00Z\nend: ${end}\ninterval: 30m\npoints:\n  - name: v\n    components: [{type: line, slope: 1}]\n`;
    await mknod('/on', cfg('2024-01-01T01:00:00Z'));
    await mknod('/off', cfg('2024-01-01T01:10:00Z'));
    const times = async (path: string) =>
      (await rows(`SELECT timestamp FROM '${path}'`)).map((r) =>
        new Date(r.timestamp as number).toISOString(),
      );
    const grid = [
      '2024-01-01T00:00:00.000Z',
      '2024-01-01T00:30:00.000Z',
      '2024-01-01T01:00:00.000Z',
    ];
    expect(await times('/on')).toEqual(grid);
    expect(await times('/off')).toEqual(grid);
  });

  it('truncates the interval to whole milliseconds (exactly: 1001ms stays 1001 ms)', async () => {
    const cfg = (interval: string, end: string) =>
      `start: 2024-01-01T00:00:00Z\nend: ${end}\ninterval: ${interval}\npoints:\n  - name: v\n    components: [{type: line, slope: 1000}]\n`;
    await mknod('/sub', cfg('1500us', '2024-01-01T00:00:00.005Z'));
    await mknod('/odd', cfg('1001ms', '2024-01-01T00:00:03Z'));
    await mknod('/mixed', cfg('1m 30s', '2024-01-01T00:03:00Z'));
    const steps = async (path: string) => {
      const got = await rows(`SELECT timestamp, v FROM '${path}'`);
      const t0 = got[0]?.timestamp as number;
      return got.map((r) => [(r.timestamp as number) - t0, Math.round(r.v as number)]);
    };
    // v = 1000·t, t in seconds: so v is the offset in milliseconds
    expect(await steps('/sub')).toEqual([0, 1, 2, 3, 4, 5].map((ms) => [ms, ms]));
    expect(await steps('/odd')).toEqual([0, 1001, 2002].map((ms) => [ms, ms]));
    expect(await steps('/mixed')).toEqual([0, 90_000, 180_000].map((ms) => [ms, ms]));
  });

  it('has the time column first as Timestamp(ms, UTC), then one Float64 per point in order', async () => {
    await mknod(
      '/typed',
      'start: "2024-01-01T00:00:00+02:00"\nend: "2024-01-01T01:00:00+02:00"\ninterval: 1h\ntime_column: ts\npoints:\n  - name: z\n    components: [{type: line, offset: 1}]\n  - name: a\n    components: [{type: line, offset: 2}]\n',
    );
    const csv = (await pondOk(p, 'cat', '/typed', '--format', 'csv')).stdout;
    expect(csv.split('\n')[0]).toBe('ts,z,a');
    const [types] = await rows(
      `SELECT arrow_typeof(ts) AS t, arrow_typeof(z) AS z, arrow_typeof(a) AS a FROM '/typed' LIMIT 1`,
    );
    expect(types).toEqual({ t: 'Timestamp(ms, "UTC")', z: 'Float64', a: 'Float64' });
    const table = (await pondOk(p, 'cat', '/typed', '--format', 'table')).stdout;
    expect(table).toContain('| Timestamp(Millisecond, Some("UTC")) | Float64 | Float64 |');
    const [first] = await rows(`SELECT min(ts) AS t FROM '/typed'`);
    expect(new Date(first?.t as number).toISOString()).toBe('2023-12-31T22:00:00.000Z');
  });
});

describe('validation (§8), pond left as it was', () => {
  const base = {
    start: '"2024-01-01T00:00:00Z"',
    end: '"2024-01-02T00:00:00Z"',
    interval: '"1h"',
    points: '\n  - name: v\n    components: [{type: sine, amplitude: 1, period: "1h"}]',
  };
  const cases: Array<[string, Partial<Record<keyof typeof base, string>>, string]> = [
    ['start without an offset', { start: '"2024-01-01T00:00:00"' }, 'start:'],
    ['start as a bare date', { start: '"2024-01-01"' }, 'start:'],
    ['a start Date.parse would take', { start: '"Jan 1 2024"' }, 'start:'],
    ['end equal to start', { end: '"2024-01-01T00:00:00Z"' }, 'end:'],
    ['end before start', { end: '"2023-12-31T00:00:00Z"' }, 'end:'],
    ['no points', { points: ' []' }, 'points:'],
    [
      'an empty name',
      { points: '\n  - name: ""\n    components: [{type: line}]' },
      'points[0].name',
    ],
    [
      'a duplicate name',
      {
        points:
          '\n  - {name: v, components: [{type: line}]}\n  - {name: v, components: [{type: line}]}',
      },
      'points[1].name',
    ],
    ['no components', { points: '\n  - name: v\n    components: []' }, 'points[0].components'],
    [
      'a sine without period',
      { points: '\n  - name: v\n    components: [{type: sine, amplitude: 1}]' },
      'points[0].components[0]',
    ],
    [
      'a triangle without period',
      { points: '\n  - name: v\n    components: [{type: triangle}]' },
      'points[0].components[0]',
    ],
    ['interval 0s', { interval: '"0s"' }, 'interval:'],
    ['an interval under a millisecond', { interval: '"999us"' }, 'interval:'],
    ['an unparseable interval (the original: 3600 s)', { interval: '"soon"' }, 'interval:'],
    [
      'an unparseable period (the original: 3600 s)',
      { points: '\n  - name: v\n    components: [{type: sine, amplitude: 1, period: "an hour"}]' },
      'points[0].components[0].period',
    ],
    [
      'a zero period',
      { points: '\n  - name: v\n    components: [{type: square, amplitude: 1, period: "0s"}]' },
      'points[0].components[0].period',
    ],
    [
      'a stray key on a component (the original ignores it)',
      { points: '\n  - name: v\n    components: [{type: sine, period: "1h", slope: 2}]' },
      'unknown key "slope"',
    ],
    [
      'a period on a line (the original ignores it)',
      { points: '\n  - name: v\n    components: [{type: line, period: "1h"}]' },
      'unknown key "period"',
    ],
    [
      'an unknown component type',
      { points: '\n  - name: v\n    components: [{type: sawtooth, period: "1h"}]' },
      'points[0].components[0].type',
    ],
  ];
  it.each(cases)('refuses %s', async (_what, change, where) => {
    const fields = { ...base, ...change };
    const yaml = `start: ${fields.start}\nend: ${fields.end}\ninterval: ${fields.interval}\npoints:${fields.points}\n`;
    const before = await dataVersion(p);
    const result = await pond(
      p,
      'mknod',
      'synthetic-timeseries',
      '/bad',
      await hostConfig(host, 'bad', yaml),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[INVALID_CONFIG]: synthetic-timeseries: ');
    expect(result.stderr).toContain(where);
    expect(await dataVersion(p)).toBe(before);
    expect((await pondOk(p, 'list', '/*')).stdout).toBe('');
  });

  it('accepts the same config with a valid value (the cases differ in one field only)', async () => {
    const yaml = `start: ${base.start}\nend: ${base.end}\ninterval: ${base.interval}\npoints:${base.points}\n`;
    await pondOk(p, 'mknod', 'synthetic-timeseries', '/good', await hostConfig(host, 'good', yaml));
    expect((await rows(`SELECT count(*) AS n FROM '/good'`))[0]?.n).toBe(25n);
  });
});

// SPDX-License-Identifier: Apache-2.0
/**
 * Configs written as the original writes them (YAML from its docs and test suite, verbatim
 * where it fits): URL patterns in every input field, `transforms` in temporal-reduce and
 * timeseries-pivot, csvdir's `schema`, through `pond mknod`, then queried with real SQL and
 * the numbers checked against direct queries or the waveform formulas.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { hostConfig, listedPaths, pond, pondAndHost, pondOk } from '../helpers.js';

let p = '';
let host = '';

beforeEach(async () => {
  ({ p, host } = await pondAndHost());
});

let configs = 0;
async function mknod(factory: string, path: string, yaml: string): Promise<void> {
  await pondOk(p, 'mknod', factory, path, await hostConfig(host, `c${configs++}`, yaml));
}

const csv = async (sql: string) =>
  (await pondOk(p, 'sql', sql, '--format', 'csv')).stdout.trim().split('\n');

const list = async (pattern: string) => listedPaths((await pondOk(p, 'list', pattern)).stdout);

/** REFERENCE-ORIGINAL's testsuite 103: a day of minute data (sine temperature, flat pressure). */
const WEATHER = `start: "2024-06-15T00:00:00Z"
end:   "2024-06-16T00:00:00Z"
interval: "1m"
points:
  - name: "temperature"
    components:
      - type: sine
        amplitude: 10.0
        period: "24h"
        offset: 20.0
  - name: "pressure"
    components:
      - type: line
        slope: 0.0
        offset: 1013.0
`;

const REDUCE = (inPattern: string) => `in_pattern: "${inPattern}"
out_pattern: "$0"
time_column: "timestamp"
resolutions: ["1h"]
aggregations:
  - type: "avg"
    columns: ["temperature", "pressure"]
  - type: "min"
    columns: ["temperature"]
  - type: "max"
    columns: ["temperature"]
`;

/** The same hourly buckets computed directly (rounded: the rollup divides its own sums). */
const HOURLY = `SELECT arrow_cast(date_bin(INTERVAL '1 hour', timestamp, TIMESTAMP '1970-01-01T00:00:00Z'), 'Timestamp(Microsecond, Some("UTC"))') AS timestamp,
  round(avg(temperature), 9) AS ta, round(avg(pressure), 9) AS pa, min(temperature) AS tmin, max(temperature) AS tmax
  FROM '/sources/weather' GROUP BY 1 ORDER BY 1`;

/** Rows of WEATHER warmer than 20, by its formula: 20 + 10 sin(2πt/24h), t every minute. */
function warmRows(): number {
  let n = 0;
  for (let m = 0; m <= 1440; m++) if (20 + 10 * Math.sin((2 * Math.PI * m * 60) / 86400) > 20) n++;
  return n;
}

describe('temporal-reduce', () => {
  it('reads in_pattern "series:///sources/*" like the plain glob, same captures and numbers', async () => {
    await pondOk(p, 'mkdir', '/sources');
    await mknod('synthetic-timeseries', '/sources/weather', WEATHER);
    await mknod('temporal-reduce', '/reduce', REDUCE('series:///sources/*'));
    await mknod('temporal-reduce', '/plain', REDUCE('/sources/*'));
    expect(await list('/reduce/**')).toEqual([
      '/reduce',
      '/reduce/weather',
      '/reduce/weather/res=1h.series',
    ]);
    expect(await list('/plain/**')).toEqual([
      '/plain',
      '/plain/weather',
      '/plain/weather/res=1h.series',
    ]);
    const reduced = await csv(
      `SELECT timestamp, round("temperature.avg", 9) AS ta, round("pressure.avg", 9) AS pa, "temperature.min" AS tmin, "temperature.max" AS tmax FROM '/reduce/weather/res=1h.series' ORDER BY 1`,
    );
    expect(reduced).toEqual(await csv(HOURLY));
    expect(reduced).toHaveLength(1 + 25); // 00:00 .. 24:00 inclusive
    expect(await csv(`SELECT * FROM '/plain/weather/res=1h.series' ORDER BY 1`)).toEqual(
      await csv(`SELECT * FROM '/reduce/weather/res=1h.series' ORDER BY 1`),
    );
    expect(
      await csv(
        `SELECT count(*) FILTER (WHERE abs("pressure.avg" - 1013.0) < 0.001) AS ok, round(max("temperature.max"), 6) AS hi FROM '/reduce/weather/res=1h.series'`,
      ),
    ).toEqual(['ok,hi', '25,30.0']);
  });

  it('numbers captures the same in a URL and a plain glob ($0, $1 across ** and *)', async () => {
    await pondOk(p, 'mkdir', '-p', '/raw/north/2024');
    await pondOk(p, 'mkdir', '-p', '/raw/south');
    await mknod('synthetic-timeseries', '/raw/north/2024/t-well.series', WEATHER);
    await mknod('synthetic-timeseries', '/raw/south/t-pump.series', WEATHER);
    const cfg = (pattern: string) =>
      `in_pattern: "${pattern}"\nout_pattern: "$1"\nresolutions: [6h]\naggregations: [{type: count, columns: ["*"]}]\n`;
    await mknod('temporal-reduce', '/u', cfg('series:///raw/**/t-*.series'));
    await mknod('temporal-reduce', '/g', cfg('/raw/**/t-*.series'));
    expect(await list('/u/*')).toEqual(['/u/pump', '/u/well']);
    expect(await list('/g/*')).toEqual(['/g/pump', '/g/well']);
    expect(await csv(`SELECT sum("count") AS n FROM '/u/well/res=6h.series'`)).toEqual([
      'n',
      '1441',
    ]);
  });

  it('parses csv:///in/*.csv matches as CSV and applies transforms to each first', async () => {
    for (const dir of ['/in', '/etc']) await pondOk(p, 'mkdir', dir);
    for (const site of ['a', 'b']) {
      const lines = ['Time,Temp (C),Level'];
      for (let m = 0; m < 120; m++) {
        const t = new Date(Date.UTC(2024, 0, 1, 0, m)).toISOString();
        lines.push(`${t},${site === 'a' ? m : 2 * m},${m % 7}`);
      }
      await writeFile(join(host, `${site}.csv`), `${lines.join('\n')}\n`);
      await pondOk(p, 'copy', `host://${join(host, `${site}.csv`)}`, `/in/${site}.csv`);
    }
    await mknod(
      'column-rename',
      '/etc/hrename',
      `rules:
  - type: direct
    from: "Time"
    to: "timestamp"
  - type: pattern
    pattern: "^(.+) \\\\((.+)\\\\)$"
    replacement: "$1.$2"
`,
    );
    await mknod(
      'temporal-reduce',
      '/reduced',
      `in_pattern: "csv:///in/*.csv"
out_pattern: "$0"
time_column: "timestamp"
resolutions: [1h]
transforms: ["/etc/hrename"]
aggregations:
  - type: avg
    columns: ["Temp.*"]
  - type: max
`,
    );
    expect(await list('/reduced/*')).toEqual(['/reduced/a', '/reduced/b']);
    expect(await csv(`SELECT * FROM '/reduced/b/res=1h.series' ORDER BY 1`)).toEqual([
      'timestamp,Temp.C.avg,Temp.C.max,Level.max',
      '2024-01-01T00:00:00Z,59.0,118,6',
      '2024-01-01T01:00:00Z,179.0,238,6',
    ]);
  });
});

/** REFERENCE-ORIGINAL's testsuite 102: stations, a join and pivots in one dynamic-dir. */
const SENSORS = `entries:
  - name: "station_a"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-01T00:00:00Z"
      end:   "2024-01-20T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: sine
              amplitude: 5.0
              period: "24h"
              offset: 20.0
        - name: "pressure"
          components:
            - type: sine
              amplitude: 3.0
              period: "12h"
              offset: 1013.0

  - name: "station_b"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-05T00:00:00Z"
      end:   "2024-01-25T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: triangle
              amplitude: 8.0
              period: "24h"
              offset: 30.0
        - name: "pressure"
          components:
            - type: square
              amplitude: 2.0
              period: "6h"
              offset: 1010.0

  - name: "combined"
    factory: "timeseries-join"
    config:
      inputs:
        - pattern: "series:///sensors/station_a"
          scope: "station_a"
        - pattern: "series:///sensors/station_b"
          scope: "station_b"

  - name: "pivot_temperature"
    factory: "timeseries-pivot"
    config:
      pattern: "series:///sensors/combined"
      columns:
        - "station_a.temperature"
        - "station_b.temperature"

  - name: "pivot_pressure"
    factory: "timeseries-pivot"
    config:
      pattern: "series:///sensors/combined"
      columns:
        - "station_a.pressure"
        - "station_b.pressure"
`;

describe('dynamic-dir with join and pivots (URL patterns inside entries)', () => {
  it('joins and pivots the stations with the original values', async () => {
    await mknod('dynamic-dir', '/sensors', SENSORS);
    expect(await list('/sensors/*')).toEqual([
      '/sensors/combined',
      '/sensors/pivot_pressure',
      '/sensors/pivot_temperature',
      '/sensors/station_a',
      '/sensors/station_b',
    ]);
    const [header, ...joined] = await csv(`SELECT * FROM '/sensors/combined'`);
    expect(header).toBe(
      'timestamp,station_a.temperature,station_a.pressure,station_b.temperature,station_b.pressure',
    );
    expect(joined).toHaveLength(24 * 24 + 1); // Jan 1 00:00 .. Jan 25 00:00, hourly
    expect(
      await csv(
        `SELECT round("combined.station_a.temperature", 9) AS a, "combined.station_b.temperature" AS b FROM '/sensors/pivot_temperature' WHERE timestamp = '2024-01-05T00:00:00Z'`,
      ),
    ).toEqual(['a,b', '20.0,22.0']); // sine at phase 0; the triangle starts at -amplitude
    expect(
      await csv(
        `SELECT count("combined.station_a.pressure") AS a, count("combined.station_b.pressure") AS b, count(*) AS n FROM '/sensors/pivot_pressure'`,
      ),
    ).toEqual(['a,b,n', `${19 * 24 + 1},${20 * 24 + 1},${24 * 24 + 1}`]);
    expect(
      await csv(
        `SELECT "combined.station_b.temperature" AS b FROM '/sensors/pivot_temperature' WHERE timestamp = '2024-01-05T12:00:00Z'`,
      ),
    ).toEqual(['b', '38.0']); // the triangle's peak at P/2
  });

  it('pivots pattern "series:///combined/*" with transforms, the capture naming each site', async () => {
    for (const dir of ['/combined', '/pivot', '/system/etc']) await pondOk(p, 'mkdir', '-p', dir);
    const site = (offset: number) =>
      `start: 2024-01-01T00:00:00Z\nend: 2024-01-01T03:00:00Z\ninterval: 1h\npoints:\n  - name: "DO (mg/L)"\n    components: [{type: line, slope: 0.001, offset: ${offset}}]\n`;
    await mknod('synthetic-timeseries', '/combined/Silver', site(8));
    await mknod('synthetic-timeseries', '/combined/BDock', site(6));
    await mknod(
      'column-rename',
      '/system/etc/10-hrename',
      'rules:\n  - {type: pattern, pattern: "^(.+) \\\\((.+)\\\\)$", replacement: "$1.$2"}\n',
    );
    await mknod(
      'timeseries-pivot',
      '/pivot/DO',
      `pattern: "series:///combined/*"     # wildcard captures the site name
columns:
  - "DO.mg/L"
time_column: "timestamp"            # optional, default: "timestamp"
transforms:                         # optional
  - "/system/etc/10-hrename"
`,
    );
    expect(await csv(`SELECT * FROM '/pivot/DO' ORDER BY 1 LIMIT 2`)).toEqual([
      'timestamp,BDock.DO.mg/L,Silver.DO.mg/L',
      '2024-01-01T00:00:00Z,6.0,8.0',
      '2024-01-01T01:00:00Z,9.6,11.6',
    ]);
  });

  it('keeps the column names of a join input without scope, as the original does', async () => {
    const one = (name: string, offset: number) =>
      `start: 2024-01-01T00:00:00Z\nend: 2024-01-01T01:00:00Z\ninterval: 30m\npoints:\n  - name: ${name}\n    components: [{type: line, offset: ${offset}}]\n`;
    await mknod('synthetic-timeseries', '/t', one('temp', 1));
    await mknod('synthetic-timeseries', '/l', one('level', 2));
    await mknod(
      'timeseries-join',
      '/j',
      'inputs:\n  - pattern: "series:///t"\n  - pattern: "series:///l"\n    scope: L\n',
    );
    expect(await csv(`SELECT * FROM '/j'`)).toEqual([
      'timestamp,temp,L.level',
      '2024-01-01T00:00:00Z,1.0,2.0',
      '2024-01-01T00:30:00Z,1.0,2.0',
      '2024-01-01T01:00:00Z,1.0,2.0',
    ]);
  });
});

describe('sql-derived, combine and template with URL patterns', () => {
  it('reads "csv:///sensor.csv" and "series:///sensors/*" patterns', async () => {
    await writeFile(
      join(host, 'sensor.csv'),
      'timestamp,temperature,pressure\n2024-01-01T00:00:00Z,20.5,1013\n2024-01-01T01:00:00Z,22.5,1012\n2024-01-01T02:00:00Z,18.0,1011\n',
    );
    await pondOk(p, 'copy', `host://${join(host, 'sensor.csv')}`, '/sensor.csv');
    await mknod(
      'sql-derived-table',
      '/summary',
      `patterns:
  source: "csv:///sensor.csv"
query: >-
  SELECT
    MIN(temperature) AS temp_min,
    MAX(temperature) AS temp_max,
    AVG(temperature) AS temp_avg,
    COUNT(*) AS row_count
  FROM source
`,
    );
    expect(await csv(`SELECT * FROM '/summary'`)).toEqual([
      'temp_min,temp_max,temp_avg,row_count',
      '18.0,22.5,20.333333333333332,3',
    ]);
    await pondOk(p, 'mkdir', '/sensors');
    await mknod('synthetic-timeseries', '/sensors/a', WEATHER);
    await mknod('synthetic-timeseries', '/sensors/b', WEATHER);
    await mknod(
      'sql-derived-series',
      '/warm',
      `patterns:\n  source: "series:///sensors/*"\nquery: "SELECT * FROM source WHERE temperature > 20"\n`,
    );
    await mknod('combine', '/both', 'patterns: ["series:///sensors/a", "/sensors/b"]\n');
    expect(await csv(`SELECT count(*) AS n FROM '/warm'`)).toEqual(['n', String(2 * warmRows())]);
    expect(await csv(`SELECT count(*) AS n FROM '/both'`)).toEqual(['n', String(2 * 1441)]);
  });

  it('renders a template from in_pattern "series:///..." and template_file "file:///..."', async () => {
    await pondOk(p, 'mkdir', '-p', '/reduced/single_site');
    await mknod('synthetic-timeseries', '/reduced/single_site/north.series', WEATHER);
    await mknod('synthetic-timeseries', '/reduced/single_site/south.series', WEATHER);
    await pondOk(p, 'mkdir', '/templates');
    await writeFile(join(host, 'data.md.tmpl'), '# {{ captures[0] }} of {{ matches | length }}\n');
    await pondOk(p, 'copy', `host://${join(host, 'data.md.tmpl')}`, '/templates/data.md.tmpl');
    await mknod(
      'template',
      '/site',
      `in_pattern: "series:///reduced/single_site/*.series"
out_pattern: "$0.md"
template_file: "file:///templates/data.md.tmpl"
`,
    );
    expect(await list('/site/*')).toEqual(['/site/north.md', '/site/south.md']);
    expect((await pondOk(p, 'cat', '/site/south.md')).stdout).toBe('# south of 2\n');
  });
});

describe('csvdir', () => {
  beforeEach(async () => {
    await pondOk(p, 'mkdir', '/in');
    await writeFile(
      join(host, 'w.csv'),
      'id;when;level;ok\n007;2024-01-01 00:00:00;1.5;true\n010;2024-01-01T06:00:00Z;;false\n',
    );
    await pondOk(p, 'copy', `host://${join(host, 'w.csv')}`, '/in/w.csv');
  });

  const types = `SELECT arrow_typeof(id) AS id, arrow_typeof("when") AS w, arrow_typeof(level) AS l, arrow_typeof(ok) AS o FROM '/csv/w' LIMIT 1`;

  it('takes the original schema shape, a byte delimiter, and casts from the text', async () => {
    await mknod(
      'csvdir',
      '/csv',
      `source: "/in/*.csv"
has_header: true
delimiter: 59
schema:
  - name: id
    data_type: utf8
  - name: when
    data_type: timestamp
  - name: level
    data_type: float64
    nullable: true
  - name: ok
    data_type: boolean
`,
    );
    expect(await csv(types)).toEqual(['id,w,l,o', 'Utf8,"Timestamp(ms, ""UTC"")",Float64,Boolean']);
    expect(await csv(`SELECT * FROM '/csv/w' ORDER BY id`)).toEqual([
      'id,when,level,ok',
      '007,2024-01-01T00:00:00Z,1.5,true',
      '010,2024-01-01T06:00:00Z,,false',
    ]);
  });

  it('takes a csv URL with options and a mapping of Arrow type names', async () => {
    await mknod(
      'csvdir',
      '/csv',
      `source: "csv:///in/*.csv?delimiter=;"
schema:
  id: Int64
  when: Timestamp(Second, Some("UTC"))
`,
    );
    expect(await csv(types)).toEqual(['id,w,l,o', 'Int64,"Timestamp(s, ""UTC"")",Utf8,Utf8']);
    expect(await csv(`SELECT sum(id) AS s FROM '/csv/w'`)).toEqual(['s', '17']);
  });

  it('names the columns of a headerless CSV in order; a value that does not parse fails the read', async () => {
    await writeFile(join(host, 'n.csv'), '1,x,2024-01-01T00:00:00Z\n2,y,2024-01-02T00:00:00Z\n');
    await pondOk(p, 'copy', `host://${join(host, 'n.csv')}`, '/in/n.csv');
    await mknod(
      'csvdir',
      '/headless',
      'source: /in/n.csv\nhas_header: false\nschema: [{name: n, data_type: int32}, {name: tag, data_type: string}]\n',
    );
    expect(await csv(`SELECT * FROM '/headless/n' ORDER BY n`)).toEqual([
      'n,tag,column_3',
      '1,x,2024-01-01T00:00:00Z',
      '2,y,2024-01-02T00:00:00Z',
    ]);
    await mknod(
      'csvdir',
      '/strict',
      'source: "csv:///in/w.csv?delimiter=;"\nschema: {ok: Int64}\n',
    );
    const bad = await pond(p, 'sql', `SELECT * FROM '/strict/w'`);
    // The engine's cast error names the value and the type; bad data, not a bug.
    expect(bad.stderr).toMatch(/^Error \[INVALID_DATA\]: /);
    expect(bad.stderr).toContain("Cannot cast string 'true' to value of Int64 type");
    await mknod(
      'csvdir',
      '/missing',
      'source: "csv:///in/w.csv?delimiter=;"\nschema: {nope: Int64}\n',
    );
    const missing = await pond(p, 'sql', `SELECT * FROM '/missing/w'`);
    expect(missing.stderr).toMatch(/^Error \[INVALID_CONFIG\]: .*"nope"/);
  });

  it('infers types without a schema, as before', async () => {
    await mknod('csvdir', '/csv', `source: "csv:///in/*.csv"\ndelimiter: ";"\n`);
    expect(
      await csv(`SELECT arrow_typeof(id) AS id, sum(id) AS s FROM '/csv/w' GROUP BY 1`),
    ).toEqual(['id,s', 'Int64,17']);
  });
});

describe('column-rename, as the original applies it', () => {
  it('lets the first matching rule decide, and casts epoch seconds to timestamps', async () => {
    await writeFile(join(host, 'e.csv'), 'DateTime,a,b\n1704067200,1,2\n1704070800,3,4\n');
    await pondOk(p, 'copy', `host://${join(host, 'e.csv')}`, '/e.csv');
    await pondOk(p, 'mkdir', '/etc');
    await mknod(
      'column-rename',
      '/etc/rename',
      `rules:
  - type: direct
    from: "DateTime"
    to: "timestamp"
    cast: "timestamp"
  - {type: direct, from: a, to: b}
  - {type: direct, from: b, to: c}
`,
    );
    await mknod(
      'sql-derived-table',
      '/renamed',
      'patterns:\n  source: "csv:///e.csv"\ntransforms: ["/etc/rename"]\n',
    );
    expect(await csv(`SELECT * FROM '/renamed' ORDER BY 1`)).toEqual([
      'timestamp,b,c',
      '2024-01-01T00:00:00Z,1,2',
      '2024-01-01T01:00:00Z,3,4',
    ]);
  });
});

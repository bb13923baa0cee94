// SPDX-License-Identifier: Apache-2.0
/**
 * The one pattern parser of factory configs (`ts/query/pattern.ts`) and each field's rule:
 * pure checks of the parser, then `pond mknod` refusing what a field cannot use (host reads
 * outside the view factories, formats that make no sense for the field, unknown keys), each
 * error naming the factory and the key and leaving the pond as it was.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MATCHED_INPUT, NAMED_FILES, ONE_FILE, VIEW_INPUT } from '../../ts/factories/patterns.js';
import { parsePattern, patternProblem } from '../../ts/query/pattern.js';
import { dataVersion, hostConfig, pond, pondAndHost, pondOk } from '../helpers.js';

describe('parsePattern (pure)', () => {
  it('reads a plain glob and each URL form to the same glob', () => {
    const plain = parsePattern('/raw/*/t.series');
    expect(plain).toMatchObject({
      url: null,
      host: false,
      glob: '/raw/*/t.series',
      format: 'file',
    });
    for (const text of [
      'series:///raw/*/t.series',
      'table:///raw/*/t.series',
      'file:///raw/*/t.series',
    ]) {
      expect(parsePattern(text).glob).toBe(plain.glob);
    }
    expect(parsePattern('csv+gzip:///in/*.csv.gz?delimiter=;')).toMatchObject({
      glob: '/in/*.csv.gz',
      format: 'csv',
      url: { compression: 'gzip', options: { delimiter: ';' } },
    });
    expect(parsePattern('host+csv:///in/*.csv')).toMatchObject({ host: true, glob: '/in/*.csv' });
  });

  it('refuses relative paths, bad URLs and bad globs with INVALID_ARGUMENT', () => {
    for (const text of ['raw/*.series', 'series://raw/x', 'zip:///a', '/a/x**/b', '/a/[b']) {
      expect(() => parsePattern(text), text).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('checks each field rule', () => {
    const problem = (text: string, rule = MATCHED_INPUT) =>
      patternProblem(parsePattern(text), rule, 'f');
    expect(problem('series:///a/*')).toBeNull();
    expect(problem('csv+zstd:///a/*.csv.zst')).toBeNull();
    expect(problem('host+series:///a/*')).toContain('host reads are not allowed in f');
    expect(problem('host+series:///a/*', VIEW_INPUT)).toBeNull();
    expect(problem('oteljson:///a/*.json')).toBeNull();
    expect(problem('weblog+gzip:///a/*.log.gz?strict=true')).toBeNull();
    expect(problem('weblog:///a/*.log?delimiter=;')).toContain('unknown weblog option "delimiter"');
    expect(problem('jsonlogs:///a/*.json', NAMED_FILES)).toContain(
      'cannot use the jsonlogs format',
    );
    expect(problem('series+gzip:///a/*')).toContain('compression and ?options');
    expect(problem('csv:///a/*.csv', NAMED_FILES)).toContain('cannot use the csv format');
    expect(problem('file:///t/a.tmpl', ONE_FILE)).toBeNull();
    expect(problem('/t/*.tmpl', ONE_FILE)).toContain('names one file');
  });
});

describe('mknod refuses what a field cannot use, naming factory and key', () => {
  let p = '';
  let host = '';
  beforeEach(async () => {
    ({ p, host } = await pondAndHost());
    await writeFile(join(host, 'x.csv'), 'a\n1\n');
  });

  const reduce = (inPattern: string) =>
    `in_pattern: "${inPattern}"\nout_pattern: "$0"\nresolutions: [1h]\naggregations: [{type: avg}]\n`;
  const cases: Array<[string, string, string, string]> = [
    [
      'temporal-reduce',
      reduce('host+series:///in/*.series'),
      'temporal-reduce: in_pattern:',
      'host reads are not allowed',
    ],
    [
      'temporal-reduce',
      reduce('weblog:///logs/*.log?bogus=1'),
      'temporal-reduce: in_pattern:',
      'unknown weblog option',
    ],
    [
      'temporal-reduce',
      reduce('sources/*'),
      'temporal-reduce: in_pattern:',
      'neither an absolute pond path nor a URL',
    ],
    [
      'timeseries-pivot',
      'pattern: "host+csv:///in/*.csv"\ncolumns: [a]\n',
      'timeseries-pivot: pattern:',
      'host reads are not allowed',
    ],
    [
      'timeseries-pivot',
      'pattern: "excelhtml:///in/*.html?x=1"\ncolumns: [a]\n',
      'timeseries-pivot: pattern:',
      'unknown excelhtml option',
    ],
    ['csvdir', 'source: "host+csv:///in/*.csv"\n', 'csvdir: source:', 'host reads are not allowed'],
    ['csvdir', 'source: "jsonl:///in/*.jsonl"\n', 'csvdir: source:', 'cannot use the jsonl format'],
    ['csvdir', 'source: "series:///in/*"\n', 'csvdir: source:', 'cannot use the series format'],
    [
      'csvdir',
      'source: "csv:///in/*.csv?delimiter=;"\ndelimiter: ","\n',
      'csvdir: delimiter:',
      'given both as a key and as ?delimiter=',
    ],
    ['csvdir', 'source: /in/*.csv\ndelimiter: ";;"\n', 'csvdir: delimiter:', 'one character'],
    [
      'csvdir',
      'source: /in/*.csv\ncache_timeout_seconds: 3600\n',
      'csvdir: cache_timeout_seconds:',
      'not supported',
    ],
    [
      'csvdir',
      'source: /in/*.csv\nschema: [{name: a, data_type: decimal}]\n',
      'csvdir: schema[0].data_type:',
      'unknown type "decimal"',
    ],
    [
      'csvdir',
      'source: /in/*.csv\nschema: [{name: a, data_type: int64, nullable: false}]\n',
      'csvdir: schema[0].nullable:',
      'not supported',
    ],
    [
      'template',
      'in_pattern: "host:///in/*"\nout_pattern: "$0"\ntemplate_file: /t\n',
      'template: in_pattern:',
      'host reads are not allowed',
    ],
    [
      'template',
      'in_pattern: "csv:///in/*.csv"\nout_pattern: "$0"\ntemplate_file: /t\n',
      'template: in_pattern:',
      'cannot use the csv format',
    ],
    [
      'template',
      'in_pattern: "/in/*"\nout_pattern: "$0"\ntemplate_file: "series:///t"\n',
      'template: template_file:',
      'cannot use the series format',
    ],
    [
      'template',
      'in_pattern: "/in/*"\nout_pattern: "$0"\ntemplate_file: "file:///t/*.tmpl"\n',
      'template: template_file:',
      'names one file',
    ],
    [
      'csvdir',
      'source: "oteljson:///in/*.json"\n',
      'csvdir: source:',
      'cannot use the oteljson format',
    ],
    [
      'combine',
      'patterns: ["relative/*.series"]\n',
      'combine: patterns[0]:',
      'neither an absolute',
    ],
    [
      'timeseries-join',
      'inputs:\n  - {pattern: "series:///a", range: {end: "2024-05-30"}}\n',
      'timeseries-join: inputs[0].range.end:',
      'not an RFC 3339 time',
    ],
    [
      'timeseries-join',
      'inputs:\n  - {pattern: "series:///a", transforms: ["etc/rename"]}\n',
      'timeseries-join: inputs[0].transforms[0]:',
      'absolute pond path of a transform node',
    ],
    [
      'temporal-reduce',
      `${reduce('/in/*')}transform: [/etc/rename]\n`,
      'temporal-reduce: config: unknown key "transform"',
      'transforms',
    ],
    [
      'timeseries-pivot',
      'pattern: /in/*\ncolumns: [a]\nscope: X\n',
      'timeseries-pivot: config: unknown key "scope"',
      'transforms',
    ],
    [
      'column-rename',
      'rules: [{type: direct, from: a, to: b, cast: decimal}]\n',
      'column-rename: rules[0].cast:',
      'unknown cast',
    ],
    [
      'dynamic-dir',
      `entries:\n  - name: r\n    factory: temporal-reduce\n    config:\n      in_pattern: "host+series:///x/*"\n      out_pattern: "$0"\n      resolutions: [1h]\n      aggregations: [{type: avg}]\n`,
      'dynamic-dir: entries[0] (r): temporal-reduce: in_pattern:',
      'host reads are not allowed',
    ],
  ];

  it.each(cases)('%s: %s', async (factory, yaml, where, why) => {
    const before = await dataVersion(p);
    const result = await pond(p, 'mknod', factory, '/node', await hostConfig(host, 'cfg', yaml));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error \[INVALID_CONFIG\]: /);
    expect(result.stderr).toContain(where);
    expect(result.stderr).toContain(why);
    expect(await dataVersion(p)).toBe(before);
    expect((await pondOk(p, 'list', '/*')).stdout).toBe('');
  });

  it('accepts host+ where views read the host, rooted at -d', async () => {
    await pondOk(
      p,
      '-d',
      host,
      'mknod',
      'sql-derived-table',
      '/h',
      await hostConfig(
        host,
        'h',
        'patterns:\n  source: "host+csv:///x.csv"\nquery: SELECT sum(a) AS s FROM source\n',
      ),
    );
    const out = await pondOk(p, '-d', host, 'sql', `SELECT * FROM '/h'`, '--format', 'csv');
    expect(out.stdout).toBe('s\n1\n');
  });
});

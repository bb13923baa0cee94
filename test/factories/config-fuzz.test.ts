// SPDX-License-Identifier: Apache-2.0
/**
 * A seeded fuzz of factory configs: random YAML (wrong types, unknown and huge keys, deep
 * nesting, aliases, broken syntax, `${env:}` references to values holding `#`, `:` and
 * newlines) checked by every factory, and a share of it given to mknod on a real pond.
 * Every failure must be a PondError with a code, never print an env value, and leave the
 * pond as it was.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '../../ts/errors.js';
import { parseConfigText } from '../../ts/factories/config.js';
import { defaultRegistry } from '../../ts/factories/index.js';
import { Pond, PondError } from '../../ts/index.js';
import { prng } from '../fuzz.js';
import { tempDir } from '../helpers.js';

const SEED = 20240611;
const CASES = 800;
/** Of which the first ones also go through mknod on a pond. */
const POND_CASES = 100;

/** Odd values for the variables configs refer to (each long enough to be scrubbed). */
const ENV: Record<string, string> = {
  FUZZ_HASH: '/srv/fz-hash # x',
  FUZZ_COLON: 'fz-colon: b',
  FUZZ_NL: 'fz-newline\nextra: 1',
  FUZZ_FLOW: '{fz-flow: [1, 2]}',
  FUZZ_NUM: '842220420',
  FUZZ_QUOTE: `"fz-quote' \\`,
  FUZZ_REF: '${env:FUZZ_NUM}',
  FUZZ_HUGE: 'fz-huge'.repeat(20_000),
  FUZZ_EMPTY: '',
};
const SECRETS = Object.values(ENV).filter((v) => v.length >= 4 && v !== ENV.FUZZ_REF);

const KEYS = [
  'directory',
  'entries',
  'name',
  'factory',
  'config',
  'patterns',
  'source',
  'query',
  'pattern',
  'start',
  'end',
  'interval',
  'points',
  'components',
  'type',
  'amplitude',
  'period',
  'rules',
  'from',
  'to',
  'inputs',
  'scope',
  'columns',
  'time_column',
  'in_pattern',
  'out_pattern',
  'resolutions',
  'aggregations',
  'template_file',
  'delete',
  'has_header',
  'delimiter',
];

const ODD_KEYS = ['unknown', '', '__proto__', 'constructor', '0', 'x y', 'ключ', '"q"', '? x'];

const SCALARS = [
  '1',
  '-0.5',
  '.inf',
  '.nan',
  'true',
  'no',
  'null',
  '~',
  '""',
  'sine',
  'direct',
  'avg',
  '1h',
  '2024-01-01T00:00:00Z',
  '/data/**',
  'csv:///in/*.csv',
  'zip:///a',
  'SELECT * FROM source',
  'hostmount',
  '!!binary aGk=',
  '!custom x',
  "'single'",
  '"double \\" quote"',
  '|\n  block',
];

const REFS = [...Object.keys(ENV), 'FUZZ_UNSET'].flatMap((n) => [
  `\${env:${n}}`,
  `"\${env:${n}}"`,
  `\${env:${n}:-fallback}`,
  `/pre/\${env:${n}}/post`,
]);

const BROKEN = [
  '[',
  '{',
  ']',
  ': :',
  '\t- x',
  '%YAML 1.2',
  '---\n---',
  '&',
  '*nowhere',
  '${env:',
  '"',
];

/** A valid config per factory: mutated one line at a time, they reach the factories' checks. */
const TEMPLATES: Record<string, string> = {
  hostmount: 'directory: /tmp\n',
  'dynamic-dir':
    'entries:\n  - name: a\n    factory: hostmount\n    config:\n      directory: /tmp\n',
  'sql-derived-table': 'patterns:\n  source: /data/x.series\nquery: SELECT * FROM source\n',
  'sql-derived-series': 'patterns:\n  source: /data/*.series\n',
  combine: 'patterns:\n  - /data/*.series\n',
  csvdir: 'source: /in/*.csv\nhas_header: true\n',
  'synthetic-timeseries': [
    'start: 2024-01-01T00:00:00Z',
    'end: 2024-01-02T00:00:00Z',
    'interval: 1h',
    'points:',
    '  - name: a',
    '    components:',
    '      - type: sine',
    '        amplitude: 1',
    '        period: 1d',
    '',
  ].join('\n'),
  template: 'in_pattern: /data/*\nout_pattern: $0.md\ntemplate_file: /t/x.tmpl\n',
  'column-rename': 'rules:\n  - type: direct\n    from: a\n    to: b\n',
  'timeseries-join': 'inputs:\n  - pattern: /data/a.series\n    scope: A\n',
  'timeseries-pivot': 'pattern: /data/*.series\ncolumns:\n  - v\ntime_column: timestamp\n',
  'temporal-reduce':
    'in_pattern: /data/*.series\nout_pattern: $0\nresolutions:\n  - 1h\naggregations:\n  - type: avg\n',
  'copy-out': 'pattern: /data/**\ndirectory: /tmp/out\n',
};

/** A generated config, and the factory it was made for (if any). */
interface Case {
  readonly text: string;
  readonly factory?: string;
}

class Gen {
  private anchors: string[] = [];
  constructor(private readonly r: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.r() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  key(): string {
    if (this.chance(0.02)) return 'k'.repeat(5_000 + Math.floor(this.r() * 20_000));
    return this.chance(0.85) ? this.pick(KEYS) : this.pick(ODD_KEYS);
  }

  scalar(): string {
    if (this.chance(0.3)) return this.pick(REFS);
    if (this.chance(0.05) && this.anchors.length > 0) return `*${this.pick(this.anchors)}`;
    return this.pick(SCALARS);
  }

  /** A value as YAML lines at `indent`; block or flow. */
  value(depth: number, indent: string): string {
    const roll = this.r();
    const anchor = this.chance(0.05)
      ? `&a${this.anchors.push(`a${this.anchors.length}`) - 1} `
      : '';
    if (depth > 4 || roll < 0.5) return ` ${anchor}${this.scalar()}`;
    if (roll < 0.6) return ` ${anchor}${this.flow(depth)}`;
    if (roll < 0.8)
      return `${anchor ? ` ${anchor}` : ''}\n${this.mapping(depth + 1, `${indent}  `)}`;
    const items = Array.from(
      { length: 1 + Math.floor(this.r() * 3) },
      () => `${indent}  -${this.value(depth + 1, `${indent}    `).replace(/^\n\s*/, ' ')}`,
    );
    return `${anchor ? ` ${anchor}` : ''}\n${items.join('\n')}`;
  }

  flow(depth: number): string {
    if (depth > 6) return this.scalar().startsWith('$') ? '1' : this.pick(SCALARS.slice(0, 12));
    const inner = () => (this.chance(0.5) ? this.pick(SCALARS.slice(0, 16)) : this.flow(depth + 1));
    if (this.chance(0.5))
      return `[${Array.from({ length: Math.floor(this.r() * 4) }, inner).join(', ')}]`;
    return `{${Array.from({ length: Math.floor(this.r() * 3) }, () => `${this.pick(KEYS)}: ${inner()}`).join(', ')}}`;
  }

  mapping(depth: number, indent: string): string {
    const n = 1 + Math.floor(this.r() * (depth === 0 ? 5 : 3));
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`${indent}${this.key()}:${this.value(depth, indent)}`);
    return lines.join('\n');
  }

  /** Nesting past the depth limit. */
  deep(): string {
    const levels = 50 + Math.floor(this.r() * 60);
    return this.chance(0.5)
      ? `entries: ${'['.repeat(levels)}${']'.repeat(levels)}\n`
      : Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}config:`).join('\n');
  }

  /** Randomly damage the text. */
  mutate(text: string): string {
    let out = text;
    const edits = Math.floor(this.r() * 3);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(this.r() * (out.length + 1));
      out = this.chance(0.5)
        ? `${out.slice(0, at)}${this.pick(BROKEN)}${out.slice(at)}`
        : `${out.slice(0, at)}${out.slice(at + 1 + Math.floor(this.r() * 5))}`;
    }
    return out;
  }

  /** A factory's template with one to three lines changed. */
  nearValid(): Case {
    const factory = this.pick(Object.keys(TEMPLATES));
    const lines = (TEMPLATES[factory] as string).trimEnd().split('\n');
    const edits = 1 + Math.floor(this.r() * 3);
    for (let e = 0; e < edits; e++) {
      const i = Math.floor(this.r() * lines.length);
      const line = lines[i] as string;
      const [, indent = '', dash = '', key = ''] = /^(\s*)(- )?([^:]*):?/.exec(line) ?? [];
      const roll = this.r();
      if (roll < 0.6 && line.includes(':'))
        lines[i] = `${indent}${dash}${key}:${this.value(3, indent)}`;
      else if (roll < 0.8)
        lines.splice(i, 0, `${indent}${dash ? '  ' : ''}${this.key()}:${this.value(4, indent)}`);
      else if (roll < 0.9) lines.splice(i, 1);
      else lines[i] = this.mutate(line);
      if (lines.length === 0) lines.push('{}');
    }
    return { text: `${lines.join('\n')}\n`, factory };
  }

  config(): Case {
    this.anchors = [];
    if (this.chance(0.5)) return this.nearValid();
    if (this.chance(0.04)) return { text: this.deep() };
    const text = `${this.mapping(0, '')}\n`;
    return { text: this.chance(0.3) ? this.mutate(text) : text };
  }
}

const saved = new Map<string, string | undefined>();
beforeAll(() => {
  for (const [name, value] of Object.entries(ENV)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
});
afterAll(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** The failure as the property demands: a PondError with a code, showing no env value. */
function checkFailure(err: unknown, text: string): void {
  const brief = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}...` : s);
  if (!(err instanceof PondError)) {
    throw new Error(`not a PondError for:\n${brief(text)}\n${brief(String(err))}`);
  }
  expect(isErrorCode(err.code)).toBe(true);
  const shown = `${err.message}\n${err.stack ?? ''}\n${err.path ?? ''}`;
  for (const secret of SECRETS) {
    if (shown.includes(secret)) {
      throw new Error(`env value shown for:\n${brief(text)}\n${brief(err.message)}`);
    }
  }
}

const configs = (() => {
  const gen = new Gen(prng(SEED));
  return Array.from({ length: CASES }, () => gen.config());
})();

describe('fuzzed configs', () => {
  it(`${CASES} configs against every factory: PondErrors only, no env value shown`, () => {
    const registry = defaultRegistry();
    let accepted = 0;
    for (const { text } of configs) {
      let raw: unknown;
      try {
        raw = parseConfigText(text, process.env);
      } catch (err) {
        checkFailure(err, text);
        continue;
      }
      for (const factory of registry.list()) {
        try {
          factory.validate(raw, registry);
          accepted++;
        } catch (err) {
          checkFailure(err, text);
        }
      }
    }
    // The generator is meant to produce mostly failures; a few configs still pass.
    expect(accepted).toBeLessThan(CASES * registry.list().length);
  });

  it(`${POND_CASES} of them through mknod: a failure leaves the pond as it was`, async () => {
    const pond = await Pond.create(join(await tempDir(), 'pond'));
    await pond.transaction((tx) => tx.mkdir('/fuzz'));
    const registry = defaultRegistry();
    const r = prng(SEED + 1);
    const names = registry.list().map((f) => f.name);
    const state = async () =>
      (await pond.list('/fuzz/*')).map((e) => `${e.path} ${e.nodeId} v${e.version}`);
    let before = await state();
    for (const [i, c] of configs.slice(0, POND_CASES).entries()) {
      const text = c.text;
      const factory = c.factory ?? (names[Math.floor(r() * names.length)] as string);
      try {
        await pond.transaction((tx) => tx.mknod(`/fuzz/n${i}`, factory, text));
      } catch (err) {
        checkFailure(err, text);
        expect(await state()).toEqual(before);
        continue;
      }
      const after = await state();
      expect(after.length).toBe(before.length + 1);
      before = after;
    }
    const log = JSON.stringify(await pond.transactions());
    for (const secret of SECRETS) expect(log.includes(secret)).toBe(false);
  });
});

// SPDX-License-Identifier: Apache-2.0
/** Config parsing without a pond: env expansion after YAML parsing, origin-aware schema
 * errors, scrubbing, and the limits on size, keys, nesting and aliases. */
import { describe, expect, it } from 'vitest';
import { ErrorCode, PondError } from '../../ts/errors.js';
import {
  bool,
  CONFIG_LIMITS,
  list,
  num,
  obj,
  oneOf,
  parseConfigText,
  record,
  type Schema,
  scrub,
  secretsIn,
  str,
  unexpanded,
} from '../../ts/factories/config.js';
import { defaultRegistry } from '../../ts/factories/index.js';

const SECRET = '842220420';

/** The error `fn` throws (failing the test if it returns). */
function thrown(fn: () => unknown): PondError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PondError);
    return err as PondError;
  }
  throw new Error('expected an error');
}

function everything(err: PondError): string {
  return `${err.message}\n${err.stack ?? ''}\n${err.path ?? ''}`;
}

describe('${env:} expansion happens after parsing, in string values only', () => {
  it.each([
    ['a comment marker', '/tmp # x'],
    ['a mapping indicator', 'a: b'],
    ['a newline and a key', '/tmp\nextra: 1'],
    ['flow syntax', '{a: [1, 2]}'],
    ['quotes and a reference', `"x" \${env:OTHER}`],
  ])('a value holding %s stays one string', (_, value) => {
    const parsed = parseConfigText('directory: ${env:INJ}\nother: 1\n', { INJ: value });
    expect(parsed).toEqual({ directory: value, other: 1 });
  });

  it('keeps a value that is exactly ${env:VAR} a string, numbers and booleans too', () => {
    const env = { N: '42', B: 'true' };
    expect(parseConfigText('n: ${env:N}\nb: ${env:B}\nd: ${env:U:-8080}\n', env)).toEqual({
      n: '42',
      b: 'true',
      d: '8080',
    });
  });

  it('expands inside strings, lists and nested mappings, never in keys', () => {
    const parsed = parseConfigText(
      [
        'dir: /data/${env:U}/x',
        '${env:U}: literal key',
        'items:',
        '  - ${env:U}',
        '  - "${env:MISSING:-fallback}"',
        'nested: {a: "${env:U}"}',
        '',
      ].join('\n'),
      { U: 'bob' },
    );
    expect(parsed).toEqual({
      dir: '/data/bob/x',
      '${env:U}': 'literal key',
      items: ['bob', 'fallback'],
      nested: { a: 'bob' },
    });
  });

  it('shows a parsed config as written', () => {
    const parsed = parseConfigText('dir: /data/${env:U}\nitems: [a, "${env:U}"]\n', { U: SECRET });
    expect(unexpanded(parsed)).toEqual({ dir: '/data/${env:U}', items: ['a', '${env:U}'] });
    expect(JSON.stringify(unexpanded(parsed))).not.toContain(SECRET);
  });

  it.each([
    ['an unset variable', 'd: ${env:POND_TEST_UNSET_VAR}\n'],
    ['a reference cut by a comment', 'd: ${env:X:-a #b}\n'],
    ['an unterminated reference', 'd: "${env:X"\n'],
  ])('refuses %s with INVALID_CONFIG', (_, text) => {
    expect(thrown(() => parseConfigText(text, { X: 'x' })).code).toBe(ErrorCode.INVALID_CONFIG);
  });
});

describe('schema errors about env values name the variable, never the value', () => {
  const env = { SECRET };
  const schemas: Array<[string, Schema<unknown>, string]> = [
    ['num', obj({ n: num }), 'n: ${env:SECRET}\n'],
    ['bool', obj({ b: bool }), 'b: ${env:SECRET}\n'],
    ['oneOf', obj({ t: oneOf('a', 'b') }), 't: ${env:SECRET}\n'],
    ['obj', obj({ m: obj({ a: str }) }), 'm: ${env:SECRET}\n'],
    ['list', obj({ l: list(str) }), 'l: ${env:SECRET}\n'],
    ['list item', obj({ l: list(num) }), 'l:\n  - 1\n  - ${env:SECRET}\n'],
    ['record value', obj({ r: record(num) }), 'r:\n  k: ${env:SECRET}\n'],
    ['a mixed string', obj({ n: num }), 'n: x-${env:SECRET}-y\n'],
  ];
  it.each(schemas)('%s', (_, schema, text) => {
    const err = thrown(() => schema.parse(parseConfigText(text, env), ''));
    expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(everything(err)).not.toContain(SECRET);
  });

  it.each(
    defaultRegistry()
      .list()
      .map((f) => f.name),
  )('%s: a secret in every string position never reaches the error', (name) => {
    const factory = defaultRegistry().get(name);
    // Every key a config could have, each set from the environment; validation fails
    // somewhere (a wrong type, a check), and the error must not print the value.
    const keys = [
      'directory',
      'entries',
      'patterns',
      'query',
      'pattern',
      'source',
      'start',
      'end',
      'interval',
      'points',
      'rules',
      'inputs',
      'columns',
      'time_column',
      'in_pattern',
      'out_pattern',
      'resolutions',
      'aggregations',
      'template_file',
      'delete',
      'has_header',
    ];
    for (const key of keys) {
      const text = `${key}: \${env:SECRET}\n`;
      try {
        factory.validate(parseConfigText(text, { SECRET: `/x/${SECRET}` }), defaultRegistry());
      } catch (err) {
        expect(err).toBeInstanceOf(PondError);
        expect(everything(err as PondError)).not.toContain(SECRET);
      }
    }
  });

  it('scrubs values out of errors a check raises', () => {
    // dynamic-dir checks entry names after the schema: the name came from the environment.
    const text = 'entries:\n  - name: ${env:SECRET}\n    factory: hostmount\n    config: {}\n';
    const raw = parseConfigText(text, { SECRET: `bad/${SECRET}` });
    const err = thrown(() => defaultRegistry().get('dynamic-dir').validate(raw, defaultRegistry()));
    expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(everything(err)).not.toContain(SECRET);
  });

  it('scrubs message, stack, path and causes in place', () => {
    const cause = new Error(`open ${SECRET}: ENOENT`);
    const err = new PondError(ErrorCode.NOT_FOUND, `host directory /d/${SECRET} missing`, {
      path: `/d/${SECRET}`,
      cause,
    });
    const secrets = secretsIn(parseConfigText('d: ${env:S}\n', { S: SECRET }));
    expect(scrub(err, secrets)).toBe(err);
    expect(err.code).toBe(ErrorCode.NOT_FOUND);
    expect(everything(err)).not.toContain(SECRET);
    expect(`${cause.message}${cause.stack}`).not.toContain(SECRET);
  });
});

describe('limits', () => {
  const refused = (text: string) =>
    expect(thrown(() => parseConfigText(text, {})).code).toBe(ErrorCode.INVALID_CONFIG);

  it('refuses 100k keys (under the byte limit) at once, not after a quadratic parse', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `k${i.toString(36)}: 1\n`).join('');
    expect(Buffer.byteLength(text)).toBeLessThan(CONFIG_LIMITS.bytes);
    refused(text);
  });

  it('refuses text past the byte limit', () => {
    refused(`query: "${'x'.repeat(CONFIG_LIMITS.bytes)}"\n`);
  });

  it('parses 20k distinct keys and still finds a duplicate among them', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}\n`).join('');
    expect(Object.keys(parseConfigText(keys, {}) as object)).toHaveLength(20_000);
    refused(`${keys}k7: again\n`);
  });

  it.each([
    ['nested flow lists', `${'['.repeat(200)}${']'.repeat(200)}`],
    [
      'nested block mappings',
      Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    ],
    [
      'an alias bomb',
      [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
        'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      ].join('\n'),
    ],
    ['an alias inside its own anchor', 'a: &a [1, *a]\n'],
    ['a list as a key', '? [a, b]\n: 1\n'],
    ['an alias as a key', 'a: &k x\n*k : 1\n'],
    ['duplicate keys', 'a: 1\nb: 2\na: 3\n'],
    ['malformed YAML', 'a: [1, 2\n'],
  ])('refuses %s with INVALID_CONFIG', (_, text) => {
    refused(text);
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../ts/errors.js';
import { compileGlob, matchPath, substituteCaptures } from '../../ts/tinyfs/glob.js';
import { components } from '../../ts/tinyfs/path.js';

const match = (pattern: string, path: string) => matchPath(compileGlob(pattern), components(path));

describe('glob', () => {
  it('matches literals exactly', () => {
    expect(match('/a/b', '/a/b')).toEqual([]);
    expect(match('/a/b', '/a/c')).toBeNull();
    expect(match('/a/b', '/a/b/c')).toBeNull();
  });

  it('captures every wildcard, left to right', () => {
    expect(match('/data-*.json', '/data-2024-01.json')).toEqual(['2024-01']);
    expect(match('/s/*/t-?.series', '/s/north/t-3.series')).toEqual(['north', '3']);
    expect(match('/x/[ab]*', '/x/beta')).toEqual(['b', 'eta']);
    expect(match('/x/[!ab]*', '/x/beta')).toBeNull();
    expect(match('/x/[!ab]*', '/x/gamma')).toEqual(['g', 'amma']);
  });

  it('keeps * within one component', () => {
    expect(match('/a/*', '/a/b/c')).toBeNull();
    expect(match('/*.csv', '/in/r.csv')).toBeNull();
  });

  it('lets ** span zero or more components and captures them', () => {
    expect(match('/**', '/')).toEqual(['']);
    expect(match('/**/*.csv', '/r.csv')).toEqual(['', 'r']);
    expect(match('/**/*.csv', '/in/deep/r.csv')).toEqual(['in/deep', 'r']);
    expect(match('/a/**/z', '/a/z')).toEqual(['']);
    expect(match('/a/**/z', '/a/b/c/z')).toEqual(['b/c']);
    expect(match('/a/**/z', '/a/b/c')).toBeNull();
  });

  it('treats regex characters literally', () => {
    expect(match('/a.b/(x)+', '/a.b/(x)+')).toEqual([]);
    expect(match('/a.b', '/aXb')).toBeNull();
  });

  it('rejects malformed patterns with a code', () => {
    expect(() => compileGlob('/a**b')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => compileGlob('/[abc')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('substitutes captures into output templates', () => {
    expect(substituteCaptures('/out/$0/$1.series', ['north', 't3'])).toBe('/out/north/t3.series');
    expect(substituteCaptures('cost: $$5', [])).toBe('cost: $5');
    expect(() => substituteCaptures('$2', ['a'])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });
});

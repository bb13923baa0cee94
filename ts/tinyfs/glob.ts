// SPDX-License-Identifier: Apache-2.0
/**
 * Glob patterns over pond paths: `*` (any run within a name), `?` (one character),
 * `[...]` (a class; `[!...]` negates) and `**` (any number of whole components, zero
 * included). Every wildcard is a capture, numbered left to right from `$0`; a `**`
 * captures the components it spans joined by `/`.
 *
 * Compiling and matching are pure; `FS.glob` walks directories with the compiled segments.
 */

import { invalidArgument } from '../errors.js';
import { components } from './path.js';

export type Segment =
  | { readonly kind: 'literal'; readonly name: string }
  | { readonly kind: 'pattern'; readonly regex: RegExp; readonly captures: number }
  | { readonly kind: 'globstar' };

export interface Glob {
  readonly source: string;
  readonly segments: readonly Segment[];
}

const WILDCARD = /[*?[]/;

export function hasWildcard(pattern: string): boolean {
  return WILDCARD.test(pattern);
}

/** The directory before a glob's first wildcard (`/a/b` for `/a/b/x*`/c); the pattern
 * itself when it has none. A pattern that cannot match when this is missing. */
export function fixedPrefix(pattern: string): string {
  const parts = components(pattern);
  const first = parts.findIndex((c) => hasWildcard(c));
  return `/${(first < 0 ? parts : parts.slice(0, first)).join('/')}`;
}

export function compileGlob(pattern: string): Glob {
  const segments = components(pattern).map(compileSegment);
  return { source: pattern, segments };
}

function compileSegment(part: string): Segment {
  if (part === '**') return { kind: 'globstar' };
  if (part.includes('**')) {
    throw invalidArgument(`'**' must be a whole path component in glob ${JSON.stringify(part)}`);
  }
  if (!hasWildcard(part)) return { kind: 'literal', name: part };
  let source = '^';
  let captures = 0;
  for (let i = 0; i < part.length; i++) {
    const ch = part[i] as string;
    if (ch === '*') {
      source += '(.*)';
      captures++;
    } else if (ch === '?') {
      source += '(.)';
      captures++;
    } else if (ch === '[') {
      const end = part.indexOf(']', i + 2);
      if (end < 0)
        throw invalidArgument(`unterminated '[' in glob component ${JSON.stringify(part)}`);
      let body = part.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      source += `([${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}])`;
      captures++;
      i = end;
    } else {
      source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return { kind: 'pattern', regex: new RegExp(`${source}$`, 's'), captures };
}

/** Match one name against a non-globstar segment; captures on success, else null. */
export function matchSegment(segment: Segment, name: string): string[] | null {
  switch (segment.kind) {
    case 'literal':
      return segment.name === name ? [] : null;
    case 'pattern': {
      const m = segment.regex.exec(name);
      return m ? m.slice(1) : null;
    }
    case 'globstar':
      throw new Error('globstar segments match whole components, not one name');
  }
}

/** Match a whole path (its components) against a glob; the captures, or null. */
export function matchPath(glob: Glob, path: readonly string[]): string[] | null {
  return matchFrom(glob.segments, 0, path, 0);
}

function matchFrom(
  segs: readonly Segment[],
  si: number,
  path: readonly string[],
  pi: number,
): string[] | null {
  if (si === segs.length) return pi === path.length ? [] : null;
  const seg = segs[si] as Segment;
  if (seg.kind === 'globstar') {
    for (let take = 0; pi + take <= path.length; take++) {
      const rest = matchFrom(segs, si + 1, path, pi + take);
      if (rest) return [path.slice(pi, pi + take).join('/'), ...rest];
    }
    return null;
  }
  if (pi === path.length) return null;
  const here = matchSegment(seg, path[pi] as string);
  if (!here) return null;
  const rest = matchFrom(segs, si + 1, path, pi + 1);
  return rest ? [...here, ...rest] : null;
}

/**
 * Substitute `$0`, `$1`... in a template with captures. `$$` is a literal `$`.
 * An out-of-range reference is an error naming it.
 */
export function substituteCaptures(template: string, captures: readonly string[]): string {
  return template.replace(/\$(\$|\d+)/g, (_, ref: string) => {
    if (ref === '$') return '$';
    const value = captures[Number(ref)];
    if (value === undefined) {
      throw invalidArgument(
        `${JSON.stringify(template)} refers to $${ref}, but the pattern has ${captures.length} capture(s)`,
      );
    }
    return value;
  });
}

/**
 * Why `name` (a single path component with `$N` references) cannot be made from `pattern`'s
 * captures, or null: a reference past the pattern's wildcards, or to a `**` capture, which
 * may hold `/`. Pure, so configs are checked when stored rather than when read.
 */
export function captureNameProblem(pattern: string, name: string): string | null {
  const kinds: Array<'globstar' | 'name'> = [];
  for (const seg of compileGlob(pattern).segments) {
    if (seg.kind === 'globstar') kinds.push('globstar');
    else if (seg.kind === 'pattern') for (let i = 0; i < seg.captures; i++) kinds.push('name');
  }
  for (const [, ref] of name.matchAll(/\$(\$|\d+)/g)) {
    if (ref === '$') continue;
    const kind = kinds[Number(ref)];
    if (kind === undefined)
      return `refers to $${ref}, but ${JSON.stringify(pattern)} has ${kinds.length} capture(s)`;
    if (kind === 'globstar')
      return `$${ref} is a '**' capture of ${JSON.stringify(pattern)}, which may hold '/', used in a name`;
  }
  return null;
}

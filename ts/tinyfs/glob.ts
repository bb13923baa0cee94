// SPDX-License-Identifier: Apache-2.0
/**
 * Glob patterns over pond paths: `*` (any run within a name), `?` (one character),
 * `[...]` (a class; `[!...]` negates) and `**` (any number of whole components, zero
 * included). Every wildcard is a capture, numbered left to right from `$0`; a `**`
 * captures the components it spans joined by `/`.
 *
 * Compiling and matching are pure; `walkGlob` walks any tree of nodes with the compiled
 * segments (`FS.glob` over a pond, `expandHostGlob` over the host filesystem).
 */

import { invalidArgument } from '../errors.js';
import { components, join } from './path.js';

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

/** What a glob walk needs of a tree of nodes: the pond's (`FS.glob`) or the host's. */
export interface GlobTree<N> {
  isDirectory(node: N): boolean;
  /** The child `name` of directory `node` (at `path`), if there is one. */
  child(node: N, path: string, name: string): Promise<N | null>;
  /**
   * The children of directory `node` (at `path`), or null to skip it. `named` is true when
   * the pattern spells this directory's path out (no wildcard above it): a tree reports
   * errors there rather than skipping.
   */
  children(node: N, path: string, named: boolean): Promise<Iterable<readonly [string, N]> | null>;
}

export interface TreeMatch<N> {
  readonly node: N;
  readonly path: string;
  readonly captures: readonly string[];
}

/**
 * Every node of `tree` matching `glob` (directories too; callers filter), in walk order.
 * The walk starts at `start`, the node at the pattern's first `from` components (0: the
 * root, reached as `/`); symlinks are whatever the tree makes of them.
 */
export async function* walkGlob<N>(
  tree: GlobTree<N>,
  glob: Glob,
  start: { readonly node: N; readonly path: string; readonly from?: number },
): AsyncIterable<TreeMatch<N>> {
  const firstWild = glob.segments.findIndex((seg) => seg.kind !== 'literal');
  const walker: Walker<N> = {
    tree,
    segs: glob.segments,
    literal: firstWild < 0 ? glob.segments.length : firstWild,
  };
  yield* walk(walker, start.node, start.path, start.from ?? 0, []);
}

interface Walker<N> {
  readonly tree: GlobTree<N>;
  readonly segs: readonly Segment[];
  /** How many leading segments are literal. */
  readonly literal: number;
}

async function* walk<N>(
  w: Walker<N>,
  node: N,
  path: string,
  si: number,
  caps: readonly string[],
): AsyncIterable<TreeMatch<N>> {
  const seg = w.segs[si];
  if (!seg) {
    yield { node, path, captures: caps };
    return;
  }
  if (!w.tree.isDirectory(node)) return;
  if (seg.kind === 'globstar') {
    yield* star(w, node, path, si, caps, []);
    return;
  }
  if (seg.kind === 'literal') {
    const child = await w.tree.child(node, path, seg.name);
    if (child !== null) yield* walk(w, child, join(path, seg.name), si + 1, caps);
    return;
  }
  for (const [name, child] of (await w.tree.children(node, path, si <= w.literal)) ?? []) {
    const got = matchSegment(seg, name);
    if (got) yield* walk(w, child, join(path, name), si + 1, [...caps, ...got]);
  }
}

/** `**` at segment `si`, having consumed `consumed` below the directory it started at. */
async function* star<N>(
  w: Walker<N>,
  node: N,
  path: string,
  si: number,
  caps: readonly string[],
  consumed: readonly string[],
): AsyncIterable<TreeMatch<N>> {
  yield* walk(w, node, path, si + 1, [...caps, consumed.join('/')]);
  const named = consumed.length === 0 && si <= w.literal;
  for (const [name, child] of (await w.tree.children(node, path, named)) ?? []) {
    const below = join(path, name);
    const spanned = [...consumed, name];
    if (w.tree.isDirectory(child)) yield* star(w, child, below, si, caps, spanned);
    else yield* walk(w, child, below, si + 1, [...caps, spanned.join('/')]);
  }
}

// SPDX-License-Identifier: Apache-2.0
/**
 * Values a config took from the environment (`${env:VAR}`), and their removal from anything
 * pond prints or records: errors, warnings, a factory's output. A config remembers its
 * values (`factories/config.ts`); a table spec a factory built from one is marked with them
 * ({@link markSecrets}), so the engine scrubs what a query of it reports
 * (`native/engine.ts`), however deep in a chain of views the spec sits.
 */

import { PondError } from './errors.js';

/** A value taken from the environment and the variable it came from. */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

const secretsByObject = new WeakMap<object, readonly Secret[]>();

/** Remember that `tree` (a table spec) was built with `secrets`; returns `tree`. */
export function markSecrets<T>(tree: T, secrets: readonly Secret[]): T {
  if (secrets.length > 0 && typeof tree === 'object' && tree !== null) {
    secretsByObject.set(tree, [...(secretsByObject.get(tree) ?? []), ...secrets]);
  }
  return tree;
}

/** Every secret marked on `tree` or on any object inside it. */
export function secretsWithin(tree: unknown): Secret[] {
  const out: Secret[] = [];
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    out.push(...(secretsByObject.get(node) ?? []));
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child);
  };
  walk(tree);
  return out;
}

/** Values shorter than this are not scrubbed: replacing them would garble messages, hiding nothing. */
const MIN_SCRUBBED = 4;

/**
 * `text` with each secret value (raw, JSON-escaped, or an absolute path without its leading
 * `/`) replaced by `${env:NAME}`.
 */
export function scrubText(text: string, secrets: readonly Secret[]): string {
  const forms: Array<[string, string]> = [];
  for (const { name, value } of secrets) {
    if (value.length < MIN_SCRUBBED) continue;
    forms.push([value, name]);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) forms.push([escaped, name]);
    // An absolute host path as the engine's object store names it: without its leading `/`.
    const relative = value.replace(/^\/+/, '');
    if (relative !== value && relative.length >= MIN_SCRUBBED) forms.push([relative, name]);
  }
  forms.sort(([a], [b]) => b.length - a.length);
  let out = text;
  for (const [value, name] of forms) out = out.split(value).join(`\${env:${name}}`);
  return out;
}

/**
 * `err` with every secret value in its message, stack, path and causes replaced by the
 * variable's reference (in place: the error keeps its class and code).
 */
export function scrub(err: unknown, secrets: readonly Secret[]): unknown {
  if (secrets.length === 0) return err;
  if (typeof err === 'string') return scrubText(err, secrets);
  const seen = new Set<Error>();
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    e.message = scrubText(e.message, secrets);
    if (e.stack) e.stack = scrubText(e.stack, secrets);
    if (e instanceof PondError && e.path !== undefined) {
      (e as { path: string | undefined }).path = scrubText(e.path, secrets);
    }
  }
  return err;
}

/** `fn()`, with what it throws (or its promise rejects with) scrubbed of `secrets`. */
export function scrubbing<T>(secrets: readonly Secret[], fn: () => T): T {
  if (secrets.length === 0) return fn();
  try {
    const result = fn();
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        throw scrub(err, secrets);
      }) as T;
    }
    return result;
  } catch (err) {
    throw scrub(err, secrets);
  }
}

/** A stream whose errors are scrubbed of `secrets`. */
export async function* scrubbingStream<T>(
  secrets: readonly Secret[],
  stream: () => AsyncIterable<T>,
): AsyncIterable<T> {
  try {
    yield* stream();
  } catch (err) {
    throw scrub(err, secrets);
  }
}

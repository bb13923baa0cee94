// SPDX-License-Identifier: Apache-2.0
/**
 * Factory configs: YAML text parsed into strictly checked values. A schema is built from
 * small combinators; every error is INVALID_CONFIG and names the offending key path.
 *
 * `${env:VAR}` and `${env:VAR:-default}` are expanded only when a config is used (the stored
 * YAML never holds the values), after the YAML is parsed and only inside string values: an
 * environment value is always a string and can never change a config's structure. Where
 * each expanded string came from is kept beside its parsed container, so schema errors name
 * the variable instead of printing the value, and errors from a factory are scrubbed of
 * the values (see {@link scrub}) before anything records or prints them.
 */

import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ErrorCode, PondError } from '../errors.js';
import { type Secret, scrub, scrubbing, scrubbingStream, scrubText } from '../secrets.js';

export { type Secret, scrub, scrubbing, scrubbingStream, scrubText };

export class ConfigError extends PondError {
  constructor(message: string) {
    super(ErrorCode.INVALID_CONFIG, message);
    this.name = 'ConfigError';
  }
}

/** Sizes past which config text is refused before any factory sees it. */
export const CONFIG_LIMITS = {
  /** UTF-8 bytes of YAML text. */
  bytes: 1024 * 1024,
  /** Keys, list items and values, counting every expansion of an alias. */
  values: 100_000,
  /** Nested lists and mappings. */
  depth: 64,
  /** The yaml package's budget against alias expansion bombs (its `maxAliasCount`). */
  aliases: 100,
} as const;

/** Where a config string came from when it holds `${env:...}` references. */
export interface EnvOrigin {
  /** The string as written in the config. */
  readonly source: string;
  /** The variables it names, in order. */
  readonly names: readonly string[];
  /** The values it took from the environment (defaults are not secrets). */
  readonly secrets: readonly Secret[];
}

export type Env = Readonly<Record<string, string | undefined>>;

// Side tables keyed by parsed containers and by validated configs, so that values stay plain
// strings for every schema and factory; an entry lives as long as its object.
const origins = new WeakMap<object, Map<string | number, EnvOrigin>>();
const secretsByConfig = new WeakMap<object, readonly Secret[]>();

/**
 * A config schema: `parse` checks `value` at `path` (for messages) and returns it typed, or
 * throws INVALID_CONFIG naming the path. `origin` is set when the value was expanded from
 * the environment; a schema that rejects it names the variable, not the value. An object
 * rather than a bare function, so that `defineFactory({ config: obj(...), table(config)
 * {...} })` infers the config's type; `schemaOf` makes one from a function.
 */
export interface Schema<T> {
  /** `value` checked and typed; INVALID_CONFIG naming `path` (or the variable) if not. */
  parse(value: unknown, path: string, origin?: EnvOrigin): T;
}

/** A schema whose `parse` is `parse`. */
export function schemaOf<T>(
  parse: (value: unknown, path: string, origin?: EnvOrigin) => T,
): Schema<T> {
  return { parse };
}
export type Infer<S> = S extends Schema<infer T> ? T : never;

function where(path: string): string {
  return path === '' ? 'config' : path;
}

/** A key quoted for a message, shortened when huge. */
function label(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 60)}...` : key);
}

function join(path: string, key: string): string {
  const part = key.length > 64 ? `${key.slice(0, 60)}...` : key;
  return path ? `${path}.${part}` : part;
}

function describe(value: unknown, origin?: EnvOrigin): string {
  if (origin) return `a value from ${origin.names.map((n) => `\${env:${n}}`).join(', ')}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function mismatch(path: string, expected: string, value: unknown, origin?: EnvOrigin): ConfigError {
  return new ConfigError(`${where(path)}: expected ${expected}, got ${describe(value, origin)}`);
}

function originOf(container: object, key: string | number): EnvOrigin | undefined {
  return origins.get(container)?.get(key);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const str: Schema<string> = schemaOf((v, path, origin) => {
  if (typeof v !== 'string') throw mismatch(path, 'a string', v, origin);
  return v;
});

export const num: Schema<number> = schemaOf((v, path, origin) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw mismatch(path, 'a number', v, origin);
  return v;
});

export const bool: Schema<boolean> = schemaOf((v, path, origin) => {
  if (typeof v !== 'boolean') throw mismatch(path, 'true or false', v, origin);
  return v;
});

/** Anything (a nested config checked later by its own factory). */
export const any: Schema<unknown> = schemaOf((v) => v);

export function oneOf<T extends string>(...choices: T[]): Schema<T> {
  const allowed = new Set<string>(choices);
  return schemaOf((v, path, origin) => {
    if (typeof v !== 'string' || !allowed.has(v)) {
      throw mismatch(path, `one of ${choices.join(', ')}`, v, origin);
    }
    return v as T;
  });
}

export function list<T>(item: Schema<T>): Schema<T[]> {
  return schemaOf((v, path, origin) => {
    if (!Array.isArray(v)) throw mismatch(path, 'a list', v, origin);
    return v.map((x, i) => item.parse(x, `${path}[${i}]`, originOf(v, i)));
  });
}

/** A mapping with arbitrary keys and uniform values. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return schemaOf((v, path, origin) => {
    if (!isMapping(v)) throw mismatch(path, 'a mapping', v, origin);
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: value.parse(x, join(path, k), originOf(v, k)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  });
}

type Fields = Record<string, Schema<unknown>>;
type ObjectOf<R extends Fields, O extends Fields> = { [K in keyof R]: Infer<R[K]> } & {
  [K in keyof O]?: Infer<O[K]>;
};

/** A mapping with known keys: `required`, `optional`; any other key is an error naming it. */
export function obj<R extends Fields, O extends Fields = Record<never, never>>(
  required: R,
  optional: O = {} as O,
): Schema<ObjectOf<R, O>> {
  const names = [...Object.keys(required), ...Object.keys(optional)];
  const known = new Set(names);
  return schemaOf((v, path, origin) => {
    if (!isMapping(v)) throw mismatch(path, 'a mapping', v, origin);
    for (const key of Object.keys(v)) {
      if (!known.has(key)) {
        throw new ConfigError(
          `${where(path)}: unknown key ${label(key)} (known: ${names.join(', ')})`,
        );
      }
    }
    const given = (k: string) => (Object.hasOwn(v, k) ? v[k] : undefined);
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(required)) {
      if (given(k) === undefined)
        throw new ConfigError(`${where(path)}: missing required key ${JSON.stringify(k)}`);
      out[k] = schema.parse(given(k), join(path, k), originOf(v, k));
    }
    for (const [k, schema] of Object.entries(optional)) {
      const x = given(k);
      if (x !== undefined && x !== null) out[k] = schema.parse(x, join(path, k), originOf(v, k));
    }
    return out as ObjectOf<R, O>;
  });
}

const ENV = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expand the references in one config string at `path`, recording where it came from. */
function expandString(text: string, path: string, env: Env): [string, EnvOrigin] {
  const names: string[] = [];
  const secrets: Secret[] = [];
  const expanded = text.replace(ENV, (_, name: string, fallback: string | undefined) => {
    names.push(name);
    const value = env[name];
    if (value !== undefined) {
      secrets.push({ name, value });
      return value;
    }
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      `${where(path)}: environment variable ${name} is not set (write \${env:${name}:-default} for a default)`,
    );
  });
  if (text.replace(ENV, '').includes('${env:')) {
    throw new ConfigError(
      `${where(path)}: a \${env:...} reference is unterminated or names no variable (quote a value that holds " #" or ": ")`,
    );
  }
  return [expanded, { source: text, names, secrets }];
}

function tooDeep(path: string): ConfigError {
  return new ConfigError(
    `${where(path)}: lists and mappings nest deeper than ${CONFIG_LIMITS.depth} levels`,
  );
}

/**
 * Expand `${env:...}` in the string values of `root` in place and record their origins,
 * refusing configs that grow past the limits through aliases or refer to themselves.
 */
function expandTree(root: object, env: Env): void {
  // Containers reached again through an alias keep their size and height from the first visit.
  const done = new Map<object, { size: number; height: number }>();
  const open = new Set<object>();
  const visit = (node: object, path: string, depth: number): { size: number; height: number } => {
    const seen = done.get(node);
    if (seen) {
      if (depth + seen.height - 1 > CONFIG_LIMITS.depth) throw tooDeep(path);
      return seen;
    }
    if (open.has(node))
      throw new ConfigError(`${where(path)}: an alias refers to a mapping or list holding it`);
    if (depth > CONFIG_LIMITS.depth) throw tooDeep(path);
    open.add(node);
    const items: Array<[string | number, unknown]> = Array.isArray(node)
      ? [...node.entries()]
      : Object.entries(node);
    let size = 1;
    let height = 1;
    for (const [key, value] of items) {
      const at = () => (typeof key === 'number' ? `${path}[${key}]` : join(path, key));
      if (typeof value === 'object' && value !== null) {
        const child = visit(value, at(), depth + 1);
        size += child.size;
        height = Math.max(height, child.height + 1);
      } else {
        size += 1;
        if (typeof value === 'string' && value.includes('${env:')) {
          const [expanded, origin] = expandString(value, at(), env);
          (node as Record<string | number, unknown>)[key] = expanded;
          const table = origins.get(node) ?? new Map<string | number, EnvOrigin>();
          table.set(key, origin);
          origins.set(node, table);
        }
      }
      if (typeof key === 'string') size += 1;
      if (size > CONFIG_LIMITS.values) {
        throw new ConfigError(
          `config: more than ${CONFIG_LIMITS.values} keys and values (aliases counted as expanded)`,
        );
      }
    }
    open.delete(node);
    const result = { size, height };
    done.set(node, result);
    return result;
  };
  visit(root, '', 1);
}

/** Duplicate or non-scalar keys and over-deep nesting, in one linear pass over parsed nodes. */
function checkNodes(node: unknown, path: string, depth: number): void {
  if (!isMap(node) && !isSeq(node)) return;
  if (depth > CONFIG_LIMITS.depth) throw tooDeep(path);
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      checkNodes(item, `${path}[${i}]`, depth + 1);
    });
    return;
  }
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = pair.key;
    if (!isScalar(key)) {
      throw new ConfigError(`${where(path)}: a key must be a scalar, not a list, mapping or alias`);
    }
    const name = key.value === null ? '' : String(key.value);
    if (seen.has(name)) throw new ConfigError(`${where(path)}: duplicate key ${label(name)}`);
    seen.add(name);
    checkNodes(pair.value, join(path, name), depth + 1);
  }
}

function malformed(err: unknown): ConfigError {
  const message = err instanceof Error ? err.message : String(err);
  return new ConfigError(`malformed YAML: ${message.split('\n')[0]}`);
}

/** YAML text as a plain value, within the limits; env references not yet expanded. */
function parseYaml(text: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > CONFIG_LIMITS.bytes) {
    throw new ConfigError(`config: ${bytes} bytes of YAML, more than ${CONFIG_LIMITS.bytes}`);
  }
  let doc: ReturnType<typeof parseDocument>;
  try {
    // Duplicate keys are found by checkNodes: the yaml package's own check is quadratic.
    doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error' });
  } catch (err) {
    throw malformed(err);
  }
  const error = doc.errors[0];
  if (error) throw malformed(error);
  checkNodes(doc.contents, '', 1);
  try {
    return doc.toJS({ maxAliasCount: CONFIG_LIMITS.aliases }) ?? {};
  } catch (err) {
    if (err instanceof ReferenceError) {
      throw new ConfigError('config: aliases expand too far (an alias bomb?); write values out');
    }
    throw malformed(err);
  }
}

/**
 * Parse YAML config text into a plain value, then expand `${env:VAR}` and
 * `${env:VAR:-default}` in its string values (never in keys, never re-parsed).
 */
export function parseConfigText(text: string, env: Env): unknown {
  const value = parseYaml(text);
  if (typeof value === 'object' && value !== null) expandTree(value, env);
  return value;
}

/** The values taken from the environment anywhere in a parsed config (or part of one). */
export function secretsIn(raw: unknown): readonly Secret[] {
  const out: Secret[] = [];
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || seen.has(node)) return;
    seen.add(node);
    for (const origin of origins.get(node)?.values() ?? []) out.push(...origin.secrets);
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child);
  };
  walk(raw);
  return out;
}

/** Remember that a validated config holds `secrets` (read back by {@link secretsOf}). */
export function withSecrets<T>(config: T, secrets: readonly Secret[]): T {
  if (secrets.length > 0 && typeof config === 'object' && config !== null) {
    secretsByConfig.set(config, secrets);
  }
  return config;
}

/** The environment values a validated config holds. */
export function secretsOf(config: unknown): readonly Secret[] {
  if (typeof config !== 'object' || config === null) return [];
  return secretsByConfig.get(config) ?? [];
}

/** A parsed config as written: every expanded string back to its `${env:...}` text. */
export function unexpanded(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const table = origins.get(raw);
  const back = (key: string | number, value: unknown) =>
    table?.get(key)?.source ?? unexpanded(value);
  if (Array.isArray(raw)) return raw.map((v, i) => back(i, v));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, back(k, v)]));
}

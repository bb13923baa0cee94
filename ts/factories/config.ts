// SPDX-License-Identifier: Apache-2.0
/**
 * Factory configs: YAML text parsed into strictly checked values. A schema is built from
 * small combinators; every error is INVALID_CONFIG and names the offending key path.
 * `${env:VAR}` and `${env:VAR:-default}` are expanded only when a config is used, so the
 * stored YAML never holds the values.
 */

import { parse as parseYaml } from 'yaml';
import { ErrorCode, PondError } from '../errors.js';

export class ConfigError extends PondError {
  constructor(message: string) {
    super(ErrorCode.INVALID_CONFIG, message);
    this.name = 'ConfigError';
  }
}

/** A validator: checks `value` at `path` and returns it typed. */
export type Schema<T> = (value: unknown, path: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function where(path: string): string {
  return path === '' ? 'config' : path;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

export const str: Schema<string> = (v, path) => {
  if (typeof v !== 'string')
    throw new ConfigError(`${where(path)}: expected a string, got ${describe(v)}`);
  return v;
};

export const num: Schema<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ConfigError(`${where(path)}: expected a number, got ${describe(v)}`);
  }
  return v;
};

export const bool: Schema<boolean> = (v, path) => {
  if (typeof v !== 'boolean')
    throw new ConfigError(`${where(path)}: expected true or false, got ${describe(v)}`);
  return v;
};

/** Anything (a nested config checked later by its own factory). */
export const any: Schema<unknown> = (v) => v;

export function oneOf<T extends string>(...choices: T[]): Schema<T> {
  return (v, path) => {
    if (typeof v !== 'string' || !(choices as string[]).includes(v)) {
      throw new ConfigError(
        `${where(path)}: expected one of ${choices.join(', ')}, got ${describe(v)}`,
      );
    }
    return v as T;
  };
}

export function list<T>(item: Schema<T>): Schema<T[]> {
  return (v, path) => {
    if (!Array.isArray(v))
      throw new ConfigError(`${where(path)}: expected a list, got ${describe(v)}`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

/** A mapping with arbitrary keys and uniform values. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new ConfigError(`${where(path)}: expected a mapping, got ${describe(v)}`);
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) out[k] = value(x, path ? `${path}.${k}` : k);
    return out;
  };
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
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new ConfigError(`${where(path)}: expected a mapping, got ${describe(v)}`);
    }
    const input = v as Record<string, unknown>;
    const at = (k: string) => (path ? `${path}.${k}` : k);
    const known = [...Object.keys(required), ...Object.keys(optional)];
    for (const key of Object.keys(input)) {
      if (!known.includes(key)) {
        throw new ConfigError(
          `${where(path)}: unknown key ${JSON.stringify(key)} (known: ${known.join(', ')})`,
        );
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(required)) {
      if (input[k] === undefined)
        throw new ConfigError(`${where(path)}: missing required key ${JSON.stringify(k)}`);
      out[k] = schema(input[k], at(k));
    }
    for (const [k, schema] of Object.entries(optional)) {
      if (input[k] !== undefined && input[k] !== null) out[k] = schema(input[k], at(k));
    }
    return out as ObjectOf<R, O>;
  };
}

const ENV = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expand `${env:VAR}` / `${env:VAR:-default}`; an unset variable without default is an error. */
export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(ENV, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined) return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      `environment variable ${name} is not set (write \${env:${name}:-default} for a default)`,
    );
  });
}

/** Parse YAML config text (after env expansion) into a plain value. */
export function parseConfigText(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  const expanded = expandEnv(text, env);
  try {
    return parseYaml(expanded) ?? {};
  } catch (err) {
    throw new ConfigError(`malformed YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

// SPDX-License-Identifier: Apache-2.0
/**
 * The `hydrovu` collector's config: the original's keys (`client_id`, `client_secret`,
 * `max_points_per_run`, `hydrovu_path`, `archive_path`, `devices`) with their meaning, and
 * pond's own (`base_url`, `request_timeout`, `max_retries`, `retry_backoff`). Credentials
 * come only from the environment: `client_id`/`client_secret` must be exactly one
 * `${env:VAR}` reference each (a literal is refused, so no secret is ever stored), and
 * when absent the collector reads `HYDRO_KEY_ID` and `HYDRO_KEY_VALUE`, as the original does.
 */

import { ErrorCode, PondError } from '../../errors.js';
import {
  bool,
  ConfigError,
  type Env,
  type EnvOrigin,
  type Infer,
  list,
  num,
  obj,
  type Schema,
  type Secret,
  schemaOf,
  str,
} from '../../factories/config.js';
import { durationNanos } from '../../factories/duration.js';

/** The real service; `base_url` points the collector anywhere else. */
export const DEFAULT_BASE_URL = 'https://www.hydrovu.com';
/** The original's per-request timeout. */
export const DEFAULT_TIMEOUT = '60s';
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_RETRY_BACKOFF = '1s';
/** The variables the original authenticates with. */
export const KEY_ID_VAR = 'HYDRO_KEY_ID';
export const KEY_VALUE_VAR = 'HYDRO_KEY_VALUE';

const ENV_REF = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;

/** A credential: exactly `${env:VAR}` in the stored text (so the value is never stored). */
const credential: Schema<string> = schemaOf((v, path, origin?: EnvOrigin) => {
  if (!origin || !ENV_REF.test(origin.source.trim())) {
    throw new ConfigError(
      `${path}: credentials are read from the environment only: write ${path}: "\${env:VAR}" (or leave it out to use ${path === 'client_id' ? KEY_ID_VAR : KEY_VALUE_VAR}); a literal value would be stored in the pond`,
    );
  }
  return str.parse(v, path, origin);
});

/** A whole number within `[min, 2^53)`. */
function wholeNumber(min: number): Schema<number> {
  return schemaOf((v, path, origin) => {
    const n = num.parse(v, path, origin);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new ConfigError(`${path}: expected a whole number of at least ${min}, got ${n}`);
    }
    return n;
  });
}

/** An absolute pond path. */
const pondPath: Schema<string> = schemaOf((v, path, origin) => {
  const s = str.parse(v, path, origin);
  if (!s.startsWith('/')) {
    throw new ConfigError(`${path}: expected an absolute pond path, got ${JSON.stringify(s)}`);
  }
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
});

/** A device name: used verbatim in file names, so no `/`. */
const deviceName: Schema<string> = schemaOf((v, path, origin) => {
  const s = str.parse(v, path, origin);
  if (s === '' || s.includes('/') || s === '.' || s === '..') {
    throw new ConfigError(
      `${path}: a device name is part of its file names: non-empty, without /, got ${JSON.stringify(s)}`,
    );
  }
  return s;
});

/** A duration (`30s`, `1m`) or a number of seconds. */
const duration: Schema<string | number> = schemaOf((v, path, origin) =>
  typeof v === 'number' ? num.parse(v, path, origin) : str.parse(v, path, origin),
);

const device = obj({ name: deviceName, id: wholeNumber(0) }, { active: bool, comment: str });

const schema = obj(
  {
    max_points_per_run: wholeNumber(1),
    hydrovu_path: pondPath,
    devices: list(device),
  },
  {
    client_id: credential,
    client_secret: credential,
    archive_path: pondPath,
    base_url: str,
    request_timeout: duration,
    max_retries: wholeNumber(0),
    retry_backoff: duration,
  },
);

/** The config as its schema reads it. */
export type HydroVuConfig = Infer<typeof schema>;
/** One configured device. */
export type Device = HydroVuConfig['devices'][number];

/** Milliseconds of a duration key; zero only where `zero` allows it. */
function durationOf(
  value: string | number | undefined,
  fallback: string,
  key: string,
  zero: boolean,
): number {
  const ms = Number(durationNanos(value ?? fallback, key)) / 1e6;
  if (ms <= 0 && !zero) {
    throw new ConfigError(`${key}: a duration must be positive, got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** The HTTP settings a config gives. */
export interface HttpSettings {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoffMs: number;
}

/** The base URL, checked: http(s), no credentials, no query; a trailing `/` dropped. */
function baseUrlOf(text: string | undefined): string {
  const raw = text ?? DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`base_url: ${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`base_url: expected an http:// or https:// URL, got ${url.protocol}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(
      'base_url: a base URL has no user, password, query or fragment (credentials come from the environment)',
    );
  }
  return url.href.replace(/\/+$/, '');
}

export function httpSettings(config: HydroVuConfig): HttpSettings {
  return {
    baseUrl: baseUrlOf(config.base_url),
    timeoutMs: durationOf(config.request_timeout, DEFAULT_TIMEOUT, 'request_timeout', false),
    maxRetries: config.max_retries ?? DEFAULT_MAX_RETRIES,
    // `0s` is allowed: tests, and a server that wants no pause beyond its Retry-After.
    backoffMs: durationOf(config.retry_backoff, DEFAULT_RETRY_BACKOFF, 'retry_backoff', true),
  };
}

/** The config schema, with the checks across keys the schema cannot express. */
export const hydrovuConfig: Schema<HydroVuConfig> = schemaOf((v, path, origin) => {
  const config = schema.parse(v, path, origin);
  if (config.devices.length === 0) {
    throw new ConfigError('devices: list at least one device');
  }
  const ids = new Set<number>();
  for (const [i, d] of config.devices.entries()) {
    if (ids.has(d.id)) {
      throw new ConfigError(`devices[${i}].id: device id ${d.id} is listed twice`);
    }
    ids.add(d.id);
  }
  httpSettings(config);
  return config;
});

/** Client id and secret for the token request. */
export interface Credentials {
  readonly id: string;
  readonly secret: string;
}

/**
 * The credentials a run uses: the config's `${env:}` references, else `HYDRO_KEY_ID` and
 * `HYDRO_KEY_VALUE`. With them, the values to scrub from anything the run reports.
 */
export function credentialsOf(
  config: HydroVuConfig,
  env: Env,
): { credentials: Credentials; secrets: Secret[] } {
  const secrets: Secret[] = [];
  const pick = (configured: string | undefined, name: string, key: string): string => {
    if (configured !== undefined) {
      if (configured !== '') return configured;
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `hydrovu: ${key}: its \${env:} reference expands to an empty value`,
      );
    }
    const value = env[name];
    if (value === undefined || value === '') {
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `hydrovu: ${key}: no credentials: set ${KEY_ID_VAR} and ${KEY_VALUE_VAR} in the environment, or write ${key}: "\${env:VAR}"`,
      );
    }
    secrets.push({ name, value });
    return value;
  };
  const id = pick(config.client_id, KEY_ID_VAR, 'client_id');
  const secret = pick(config.client_secret, KEY_VALUE_VAR, 'client_secret');
  return { credentials: { id, secret }, secrets };
}

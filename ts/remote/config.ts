// SPDX-License-Identifier: Apache-2.0
/**
 * The remotes a pond knows: backups it pushes to after every commit (`pond backup add`) and
 * remotes it pulls from and mounts read-only (`pond remote add`). Each is one control-table
 * setting `remote.NAME` holding JSON; removing writes an empty value. Credentials are stored
 * only as `${env:VAR}` references and expanded when the store is opened.
 */

import { ErrorCode, PondError } from '../errors.js';
import type { RemoteOptions } from '../native/remote.js';
import { normalize } from '../tinyfs/path.js';

/** push: a backup, written after every commit; pull: a pond read from, optionally mounted. */
export type RemoteMode = 'push' | 'pull';

/** Options of a remote store as stored: credentials as `${env:VAR}` references. */
export interface StoredRemoteOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly allow_http?: boolean;
  readonly access_key_id?: string;
  readonly secret_access_key?: string;
  readonly session_token?: string;
}

export interface RemoteConfig {
  readonly name: string;
  readonly url: string;
  readonly mode: RemoteMode;
  /** Where a pull remote's tree appears in this pond (read-only); null for none. */
  readonly mount: string | null;
  readonly options: StoredRemoteOptions;
}

export const REMOTE_PREFIX = 'remote.';
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const SECRET_KEYS = ['access_key_id', 'secret_access_key', 'session_token'] as const;
const OPTION_KEYS = ['region', 'endpoint', 'allow_http', ...SECRET_KEYS] as const;

function invalid(message: string): PondError {
  return new PondError(ErrorCode.INVALID_ARGUMENT, message);
}

/** Check a remote before it is stored: name, URL form, option keys, no literal secrets. */
export function checkRemote(config: RemoteConfig): RemoteConfig {
  if (!NAME.test(config.name)) {
    throw invalid(
      `remote name ${JSON.stringify(config.name)}: use lowercase letters, digits, - and _`,
    );
  }
  if (!/^(file:\/\/\/|s3:\/\/[^/]+)/.test(config.url)) {
    throw invalid(
      `${config.url}: a remote is file:///absolute/path or s3://bucket/prefix (options: region, endpoint, allow_http, access_key_id, secret_access_key)`,
    );
  }
  for (const key of Object.keys(config.options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw invalid(`remote option ${key}: unknown (known: ${OPTION_KEYS.join(', ')})`);
    }
  }
  for (const key of SECRET_KEYS) {
    const value = config.options[key];
    if (value !== undefined && !ENV_REF.test(value)) {
      throw invalid(
        `remote option ${key}: credentials are stored only as \${env:VAR} references, never as literal values (write ${key}=\${env:AWS_${key.toUpperCase()}})`,
      );
    }
  }
  const mount = config.mount === null ? null : normalize(config.mount);
  if (mount === '/') throw invalid('a remote cannot be mounted at /');
  return { ...config, mount };
}

/** The remotes recorded in `settings`, by name. */
export function remotesOf(settings: ReadonlyMap<string, string>): RemoteConfig[] {
  const out: RemoteConfig[] = [];
  for (const [key, value] of settings) {
    if (!key.startsWith(REMOTE_PREFIX) || value === '') continue;
    try {
      out.push(JSON.parse(value) as RemoteConfig);
    } catch {
      throw new PondError(ErrorCode.CORRUPT, `setting ${key}: not a remote (invalid JSON)`);
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The store options with `${env:VAR}` references expanded from `env`. */
export function expandOptions(
  config: RemoteConfig,
  env: Readonly<Record<string, string | undefined>>,
): RemoteOptions {
  const o = config.options;
  const secret = (key: (typeof SECRET_KEYS)[number]): string | undefined => {
    const ref = o[key];
    if (ref === undefined) return undefined;
    const name = ENV_REF.exec(ref)?.[1] as string;
    const value = env[name];
    if (value === undefined) {
      throw new PondError(
        ErrorCode.INVALID_CONFIG,
        `remote ${config.name}: ${key} comes from \${env:${name}}, which is not set`,
      );
    }
    return value;
  };
  const out: Record<string, unknown> = {
    region: o.region,
    endpoint: o.endpoint,
    allowHttp: o.allow_http,
    accessKeyId: secret('access_key_id'),
    secretAccessKey: secret('secret_access_key'),
    sessionToken: secret('session_token'),
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as RemoteOptions;
}

/** `key=value` command-line options as stored options (`allow_http` is a boolean). */
export function parseOptions(pairs: readonly string[]): StoredRemoteOptions {
  const out: Record<string, string | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw invalid(`remote option ${JSON.stringify(pair)}: expected key=value`);
    const key = pair.slice(0, eq).replace(/-/g, '_');
    const value = pair.slice(eq + 1);
    if (key === 'allow_http') {
      if (value !== 'true' && value !== 'false')
        throw invalid('allow_http: expected true or false');
      out[key] = value === 'true';
    } else out[key] = value;
  }
  return out as StoredRemoteOptions;
}

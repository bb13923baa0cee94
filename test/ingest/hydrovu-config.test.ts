// SPDX-License-Identifier: Apache-2.0
/**
 * The hydrovu config: the original's keys as its users write them, pond's own keys and
 * defaults, and every refusal naming the factory and the key (never a secret's value).
 */

import { describe, expect, it } from 'vitest';
import { PondError } from '../../ts/errors.js';
import { parseConfigText } from '../../ts/factories/config.js';
import { defaultRegistry } from '../../ts/factories/index.js';
import { credentialsOf, type HydroVuConfig, httpSettings } from '../../ts/ingest/hydrovu/config.js';

const ENV = { HV_ID: 'id-from-env', HV_SECRET: 'secret-from-env' };
const ORIGINAL = `client_id: "\${env:HV_ID}"
client_secret: "\${env:HV_SECRET}"
max_points_per_run: 20000
hydrovu_path: /hydrovu
archive_path: /hydrovu-archive
devices:
  - {name: DockVulink, id: 6582334}
  - {name: SpareAT500, id: 6582999, active: false, comment: "in the shop"}
`;

function validate(text: string, env: Record<string, string> = ENV): HydroVuConfig {
  const registry = defaultRegistry();
  return registry.get('hydrovu').validate(parseConfigText(text, env), registry) as HydroVuConfig;
}

function refusal(text: string, env: Record<string, string> = ENV): PondError {
  try {
    validate(text, env);
  } catch (err) {
    if (err instanceof PondError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('hydrovu config', () => {
  it("reads the original's example as written, with pond's defaults", () => {
    const config = validate(ORIGINAL);
    expect(config.devices.map((d) => [d.name, d.id, d.active ?? true])).toEqual([
      ['DockVulink', 6582334, true],
      ['SpareAT500', 6582999, false],
    ]);
    expect(httpSettings(config)).toEqual({
      baseUrl: 'https://www.hydrovu.com',
      timeoutMs: 60_000,
      maxRetries: 5,
      backoffMs: 1000,
    });
    expect(credentialsOf(config, {}).credentials).toEqual({
      id: 'id-from-env',
      secret: 'secret-from-env',
    });
  });

  it("pond's keys: base_url, request_timeout, max_retries, retry_backoff", () => {
    const config = validate(
      `${ORIGINAL}base_url: http://127.0.0.1:8080/\nrequest_timeout: 2.5s\nmax_retries: 0\nretry_backoff: 0s\n`,
    );
    expect(httpSettings(config)).toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      timeoutMs: 2500,
      maxRetries: 0,
      backoffMs: 0,
    });
  });

  it('without client_id and client_secret the credentials are HYDRO_KEY_ID and HYDRO_KEY_VALUE', () => {
    const config = validate(ORIGINAL.replace(/client_(id|secret): .*\n/g, ''));
    const { credentials, secrets } = credentialsOf(config, {
      HYDRO_KEY_ID: 'kid',
      HYDRO_KEY_VALUE: 'kvalue',
    });
    expect(credentials).toEqual({ id: 'kid', secret: 'kvalue' });
    expect(secrets.map((s) => s.name)).toEqual(['HYDRO_KEY_ID', 'HYDRO_KEY_VALUE']);
  });

  const refused: Array<[string, string, string]> = [
    ['a literal secret', ORIGINAL.replace('"${env:HV_SECRET}"', 'hunter22'), 'client_secret'],
    ['a literal id', ORIGINAL.replace('"${env:HV_ID}"', 'my-id'), 'client_id'],
    [
      'a reference with a default',
      ORIGINAL.replace('"${env:HV_SECRET}"', '"${env:NOPE:-fallback}"'),
      'client_secret',
    ],
    [
      'text around a reference',
      ORIGINAL.replace('"${env:HV_SECRET}"', '"x${env:HV_SECRET}"'),
      'client_secret',
    ],
    ['no points', ORIGINAL.replace('20000', '0'), 'max_points_per_run'],
    ['fractional points', ORIGINAL.replace('20000', '2.5'), 'max_points_per_run'],
    [
      'a relative path',
      ORIGINAL.replace('hydrovu_path: /hydrovu', 'hydrovu_path: hv'),
      'hydrovu_path',
    ],
    ['no devices', ORIGINAL.replace(/devices:[\s\S]*$/, 'devices: []\n'), 'devices'],
    ['a name with /', ORIGINAL.replace('DockVulink', 'Dock/Vulink'), 'devices[0].name'],
    ['an id twice', ORIGINAL.replace('6582999', '6582334'), 'devices[1].id'],
    ['an unknown device key', ORIGINAL.replace('active: false', 'enabled: false'), 'enabled'],
    ['an unknown key', `${ORIGINAL}scope: lab\n`, 'scope'],
    ['a base URL with a password', `${ORIGINAL}base_url: https://u:p@example.com\n`, 'base_url'],
    ['a base URL of another scheme', `${ORIGINAL}base_url: ftp://example.com\n`, 'base_url'],
    ['a zero timeout', `${ORIGINAL}request_timeout: 0s\n`, 'request_timeout'],
    ['a duration that is not one', `${ORIGINAL}retry_backoff: soon\n`, 'retry_backoff'],
  ];
  for (const [what, text, key] of refused) {
    it(`refuses ${what}, naming ${key}`, () => {
      const err = refusal(text);
      expect(err.code).toBe('INVALID_CONFIG');
      expect(err.message).toMatch(/^hydrovu: /);
      expect(err.message).toContain(key);
      expect(err.message).not.toContain('secret-from-env');
    });
  }

  it('no credentials anywhere is refused when the run starts, naming the variables', () => {
    const config = validate(ORIGINAL.replace(/client_(id|secret): .*\n/g, ''));
    expect(() => credentialsOf(config, {})).toThrow(/HYDRO_KEY_ID and HYDRO_KEY_VALUE/);
  });
});

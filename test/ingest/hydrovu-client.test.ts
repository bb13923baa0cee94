// SPDX-License-Identifier: Apache-2.0
/**
 * The HydroVu client against a real HTTP server on loopback: the token request's wire
 * format, pagination, the point budget, retries (429 with Retry-After, 500, spent), an
 * expired token renewed once, a request timeout, refused credentials, malformed answers.
 * Pauses between retries are recorded, not taken.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { PondError } from '../../ts/errors.js';
import { HydroVuClient } from '../../ts/ingest/hydrovu/client.js';
import type { LocationPage } from '../../ts/ingest/hydrovu/model.js';
import {
  type Fault,
  type Parameter,
  type ServerOptions,
  startHydroVu,
  type TestServer,
} from './hydrovu-server.js';

const ID = 'client-id-1';
const SECRET = 'very-secret-value';
const T0 = 1_700_000_000;

function readings(n: number, step = 300, from = T0): Parameter['readings'] {
  return Array.from({ length: n }, (_, i) => ({ timestamp: from + i * step, value: 10 + i }));
}

const LOCATIONS = {
  100: [
    { parameterId: '1', unitId: '1', readings: readings(6) },
    { parameterId: '4', unitId: '17', readings: readings(3, 600) },
  ],
};

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function setup(
  options: Partial<ServerOptions> = {},
  http: { maxRetries?: number; timeoutMs?: number; backoffMs?: number } = {},
) {
  server = await startHydroVu({
    clientId: ID,
    clientSecret: SECRET,
    locations: LOCATIONS,
    ...options,
  });
  const pauses: number[] = [];
  const client = new HydroVuClient(
    server.url,
    { id: ID, secret: SECRET },
    {
      timeoutMs: http.timeoutMs ?? 10_000,
      maxRetries: http.maxRetries ?? 3,
      backoffMs: http.backoffMs ?? 250,
      sleep: async (ms) => {
        pauses.push(ms);
      },
    },
  );
  return { server, client, pauses };
}

async function allPages(client: HydroVuClient, location = 100, start = 0, budget = 1e9) {
  const out: LocationPage[] = [];
  for await (const { page } of client.pages(location, start, budget)) out.push(page);
  return out;
}

async function failure(p: Promise<unknown>): Promise<PondError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PondError) return err;
    throw err;
  }
  throw new Error('expected a PondError');
}

describe('hydrovu client', () => {
  it('asks for a token as the original does: form body, Basic credentials', async () => {
    const { server, client } = await setup();
    await client.authenticate();
    const req = server.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/public-api/oauth/token');
    expect(req?.body).toBe('grant_type=client_credentials&scope=read%3Alocations+read%3Adata');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ID}:${SECRET}`).toString('base64')}`,
    );
  });

  it('follows x-isi-next-page with x-isi-start-page on the same URL', async () => {
    const { server, client } = await setup();
    const pages = await allPages(client, 100, T0 + 1);
    // Timestamps from T0+300 on: 5 distinct, two per page.
    expect(pages).toHaveLength(3);
    const data = server.requests.filter((r) => r.path.endsWith('/data'));
    expect(data.map((r) => r.query.get('startTime'))).toEqual([
      `${T0 + 1}`,
      `${T0 + 1}`,
      `${T0 + 1}`,
    ]);
    expect(data[0]?.headers['x-isi-start-page']).toBeUndefined();
    expect(data[1]?.headers['x-isi-start-page']).toBeTruthy();
    expect(data[2]?.headers['x-isi-start-page']).not.toBe(data[1]?.headers['x-isi-start-page']);
    expect(pages.flatMap((p) => p.parameters.flatMap((q) => q.readings)).length).toBe(5 + 2);
    expect(data.every((r) => r.headers.authorization === `Bearer ${server.tokens[0]}`)).toBe(true);
  });

  it('stops after the page that reaches the point budget', async () => {
    const { client } = await setup();
    // Page 1 has 3 points (two of parameter 1, one of 4), page 2 has 3: a budget of 4 reads two.
    const pages = await allPages(client, 100, 0, 4);
    expect(pages.map((p) => p.points)).toEqual([3, 3]);
  });

  it('retries a 429 after its Retry-After and a 500 after the backoff', async () => {
    const faults: Record<number, Fault> = {
      3: { status: 429, headers: { 'retry-after': '7' } },
      4: { status: 500, body: 'busy' },
      5: { status: 503 },
    };
    const { client, pauses, server } = await setup({ fault: (n) => faults[n] });
    const pages = await allPages(client);
    expect(pages).toHaveLength(3);
    expect(pauses).toEqual([7000, 500, 1000]);
    expect(server.requests).toHaveLength(1 + 3 + 3);
  });

  it('fails with IO once the retries are spent, naming the location and page', async () => {
    const { client, pauses, server } = await setup(
      {
        fault: (n, r) =>
          n >= 3 ? { status: 500, body: `echo ${SECRET} ${r.headers.authorization}` } : undefined,
      },
      { maxRetries: 2 },
    );
    const err = await failure(allPages(client));
    expect(err.code).toBe('IO');
    expect(err.message).toContain('location 100, page 2');
    expect(err.message).toContain('HTTP 500');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(server.tokens[0]);
    expect(err.message).toContain('echo [redacted] Bearer [redacted]');
    expect(pauses).toHaveLength(2);
  });

  it('renews an expired token once and repeats the request', async () => {
    const { client, server } = await setup({ tokenUses: 2 });
    const pages = await allPages(client);
    expect(pages).toHaveLength(3);
    expect(server.tokens).toHaveLength(2);
    const statuses = server.requests.map((r) => r.path.split('/').pop());
    expect(statuses).toEqual(['token', 'data', 'data', 'data', 'token', 'data']);
  });

  it('fails when a renewed token is refused too', async () => {
    const { client } = await setup({ tokenUses: 0 });
    const err = await failure(allPages(client));
    expect(err.code).toBe('IO');
    expect(err.message).toContain('HTTP 401');
  });

  it('refused credentials are INVALID_CONFIG with the OAuth error, never the secret', async () => {
    server = await startHydroVu({ clientId: ID, clientSecret: 'other', locations: LOCATIONS });
    const client = new HydroVuClient(
      server.url,
      { id: ID, secret: SECRET },
      { timeoutMs: 10_000, maxRetries: 0, backoffMs: 0 },
    );
    const err = await failure(client.dictionary());
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain(SECRET);
  });

  it('times out a request the server never answers', async () => {
    const { client } = await setup(
      { fault: (n) => (n === 2 ? { hang: true } : undefined) },
      { maxRetries: 0, timeoutMs: 200 },
    );
    expect((await failure(client.dictionary())).code).toBe('TIMEOUT');
  });

  it('a timed-out request is retried', async () => {
    const { client, pauses } = await setup(
      { fault: (n) => (n === 2 ? { hang: true } : undefined) },
      { maxRetries: 1, timeoutMs: 200 },
    );
    const names = await client.dictionary();
    expect(names.parameters.get('1')).toBe('Temperature');
    expect(pauses).toEqual([250]);
  });

  it('a malformed page is INVALID_DATA naming the field', async () => {
    const bodies: Record<number, string> = {
      1: '{"locationId": 100, "parameters": [',
      2: '{"locationId": 100, "parameters": [{"parameterId": 1, "unitId": "1", "customParameter": false, "readings": []}]}',
      3: '{"locationId": 100, "parameters": [{"parameterId": "1", "unitId": "1", "customParameter": false, "readings": [{"timestamp": "x", "value": 1}]}]}',
    };
    for (const [page, body] of Object.entries(bodies)) {
      const { client } = await setup({ pageBody: (_, n) => (n === 1 ? body : undefined) });
      const err = await failure(allPages(client));
      expect(err.code, `body ${page}`).toBe('INVALID_DATA');
      expect(err.message).toContain('location 100, page 1');
      await server?.close();
      server = null;
    }
  });

  it('a next-page token that repeats the page just read is INVALID_DATA, not a loop', async () => {
    const { client } = await setup({
      fault: (n, r) =>
        n >= 3
          ? {
              status: 200,
              body: '{"locationId": 100, "parameters": []}',
              headers: { 'x-isi-next-page': String(r.headers['x-isi-start-page']) },
            }
          : undefined,
    });
    expect((await failure(allPages(client))).code).toBe('INVALID_DATA');
  });

  it('reads gzip answers', async () => {
    const { client, server } = await setup({ gzip: true });
    expect(await allPages(client)).toHaveLength(3);
    expect(String(server.requests[1]?.headers['accept-encoding'])).toContain('gzip');
  });
});

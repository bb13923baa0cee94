// SPDX-License-Identifier: Apache-2.0
/**
 * A HydroVu API on 127.0.0.1 for tests: the token endpoint (client credentials as HTTP
 * Basic), the friendly-names dictionary and per-location readings in the reference's JSON
 * shapes, paginated with `x-isi-next-page` / `x-isi-start-page` and filtered by
 * `startTime`. Failures are decided by request count, never by time: `fault(n, request)`
 * may answer any request with a status (a 429, a 500...), a raw body (a malformed page) or
 * no answer at all (a timeout), and a token stops being accepted after `tokenUses` uses
 * (an expired token: the server answers 401 to it). Every request is recorded.
 */

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface Reading {
  readonly timestamp: number;
  readonly value: number | null;
}

export interface Parameter {
  readonly parameterId: string;
  readonly unitId: string;
  readonly readings: readonly Reading[];
}

/** What the server answers a request with instead of the normal answer. */
export type Fault =
  | {
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly hang: true };

export interface Recorded {
  /** 1-based, over every request the server received. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ServerOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dictionary?: {
    readonly parameters: Record<string, string>;
    readonly units: Record<string, string>;
  };
  readonly locations: Readonly<Record<number, readonly Parameter[]>>;
  /** Distinct timestamps per page (default 2). */
  readonly pageSize?: number;
  /** How many data or dictionary requests a token answers before it is expired. */
  readonly tokenUses?: number;
  /** A page's body replaced (a malformed page): `(location, page number)`. */
  readonly pageBody?: (location: number, page: number) => string | undefined;
  readonly fault?: (n: number, request: Recorded) => Fault | undefined;
  /** Gzip answers to clients that accept it. */
  readonly gzip?: boolean;
}

export interface TestServer {
  readonly url: string;
  readonly requests: Recorded[];
  /** Tokens issued so far, oldest first. */
  readonly tokens: string[];
  /** The `startTime` of each data request, by location. */
  startTimes(location: number): number[];
  close(): Promise<void>;
}

const DEFAULT_DICTIONARY = {
  parameters: { '1': 'Temperature', '4': 'Specific Conductivity', density: 'Density' },
  units: { '1': 'C', '17': 'uS/cm', density: 'g/cm3' },
};

function pageToken(start: number, page: number): string {
  return Buffer.from(`${start}:${page}`).toString('base64url');
}

function pageOf(token: string | undefined): number {
  if (!token) return 0;
  const [, page] = Buffer.from(token, 'base64url').toString().split(':');
  return Number(page);
}

/** The readings of `location` from `start`, split into pages of `size` distinct timestamps. */
function pages(params: readonly Parameter[], start: number, size: number): Parameter[][] {
  const times = [
    ...new Set(params.flatMap((p) => p.readings.map((r) => r.timestamp)).filter((t) => t >= start)),
  ].sort((a, b) => a - b);
  const out: Parameter[][] = [];
  for (let i = 0; i < times.length; i += size) {
    const lo = times[i] as number;
    const hi = times[Math.min(i + size, times.length) - 1] as number;
    out.push(
      params
        .map((p) => ({
          ...p,
          readings: p.readings.filter((r) => r.timestamp >= lo && r.timestamp <= hi),
        }))
        .filter((p) => p.readings.length > 0),
    );
  }
  return out.length > 0 ? out : [[]];
}

export async function startHydroVu(options: ServerOptions): Promise<TestServer> {
  const requests: Recorded[] = [];
  const tokens: string[] = [];
  const uses = new Map<string, number>();
  const dictionary = options.dictionary ?? DEFAULT_DICTIONARY;
  const size = options.pageSize ?? 2;
  const expected = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;

  const send = (
    res: ServerResponse,
    accepts: string,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    const gzip = options.gzip === true && accepts.includes('gzip');
    const bytes = gzip ? gzipSync(body) : Buffer.from(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...headers,
    });
    res.end(bytes);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: Recorded = {
        n: requests.length + 1,
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      const accepts = String(req.headers['accept-encoding'] ?? '');
      const fault = options.fault?.(recorded.n, recorded);
      if (fault && 'hang' in fault) return;
      if (fault) {
        send(res, accepts, fault.status, fault.body ?? '{"error":"fault"}', fault.headers);
        return;
      }
      if (url.pathname === '/public-api/oauth/token' && req.method === 'POST') {
        if (req.headers.authorization !== expected) {
          send(
            res,
            accepts,
            401,
            '{"error":"invalid_client","error_description":"unknown client"}',
          );
          return;
        }
        const token = `tok-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
        tokens.push(token);
        uses.set(token, 0);
        send(
          res,
          accepts,
          200,
          JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }),
        );
        return;
      }
      const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const used = uses.get(bearer);
      if (used === undefined || used >= (options.tokenUses ?? Number.POSITIVE_INFINITY)) {
        send(res, accepts, 401, '{"error":"token expired"}');
        return;
      }
      uses.set(bearer, used + 1);
      if (url.pathname === '/public-api/v1/sispec/friendlynames') {
        send(res, accepts, 200, JSON.stringify(dictionary));
        return;
      }
      const m = /^\/public-api\/v1\/locations\/(\d+)\/data$/.exec(url.pathname);
      const location = m ? Number(m[1]) : Number.NaN;
      const params = options.locations[location];
      if (!params) {
        send(res, accepts, 404, '{"error":"no such location"}');
        return;
      }
      const start = Number(url.searchParams.get('startTime') ?? 0);
      const all = pages(params, start, size);
      const index = pageOf(req.headers['x-isi-start-page'] as string | undefined);
      const next: Record<string, string> =
        index + 1 < all.length ? { 'x-isi-next-page': pageToken(start, index + 1) } : {};
      const body =
        options.pageBody?.(location, index + 1) ??
        JSON.stringify({
          locationId: location,
          parameters: (all[index] ?? []).map((p) => ({ ...p, customParameter: false })),
        });
      send(res, accepts, 200, body, next);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokens,
    startTimes: (location) =>
      requests
        .filter(
          (r) =>
            r.path === `/public-api/v1/locations/${location}/data` &&
            !r.headers['x-isi-start-page'],
        )
        .map((r) => Number(r.query.get('startTime'))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

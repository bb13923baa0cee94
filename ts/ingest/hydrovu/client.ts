// SPDX-License-Identifier: Apache-2.0
/**
 * The HydroVu public API as the original collector speaks it (docs/factories.md, hydrovu):
 * an OAuth2 client-credentials token from `POST <base>/public-api/oauth/token` (form body,
 * the client id and secret as HTTP Basic), the friendly-names dictionary from
 * `GET /public-api/v1/sispec/friendlynames`, and a location's readings from
 * `GET /public-api/v1/locations/{id}/data?startTime={unix seconds}`, page after page: the
 * same URL again with `x-isi-start-page` set to the previous `x-isi-next-page`, until the
 * header is absent or the run's point budget is spent (checked after each page).
 *
 * Beyond the original: a data or dictionary call answered 401 fetches a new token once and
 * is repeated (an expired token mid-run), and every exchange has a timeout and retries
 * (`http.ts`). Errors name the call, the location and the page, never a secret.
 */

import { ErrorCode, PondError } from '../../errors.js';
import type { Credentials } from './config.js';
import { excerpt, exchange, type HttpOptions, type Reply } from './http.js';
import { type Dictionary, type LocationPage, parseDictionary, parsePage } from './model.js';

/** The scopes the original asks for. */
const SCOPE = 'read:locations read:data';
export const NEXT_PAGE = 'x-isi-next-page';
export const START_PAGE = 'x-isi-start-page';

/** `application/x-www-form-urlencoded` encoding of one value (as the oauth2 crate sends). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function isJson(type: string | null): boolean {
  if (type === null) return true;
  const media = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media.endsWith('+json');
}

/** One location's pages, as the collector receives them. */
export interface PageResult {
  readonly page: LocationPage;
  /** 1-based page number, for messages. */
  readonly number: number;
}

export class HydroVuClient {
  private token: string | null = null;
  /** HTTP requests sent so far (retries and token requests included). */
  requests = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly credentials: Credentials,
    private readonly http: Omit<HttpOptions, 'secrets'>,
  ) {}

  private get options(): HttpOptions {
    return { ...this.http, secrets: () => this.secrets() };
  }

  /** What must never be shown: the credentials and the current token. */
  secrets(): string[] {
    const out = [this.credentials.id, this.credentials.secret];
    if (this.token) out.push(this.token);
    return out;
  }

  private url(path: string): string {
    return `${this.baseUrl}/public-api/${path}`;
  }

  private async send(url: string, init: () => RequestInit, what: string): Promise<Reply> {
    const reply = await exchange(url, init, what, this.options);
    this.requests += reply.attempts;
    return reply;
  }

  /** A new access token (client credentials). */
  async authenticate(): Promise<string> {
    const { id, secret } = this.credentials;
    const basic = Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64');
    const what = 'HydroVu token request (POST /public-api/oauth/token)';
    const reply = await this.send(
      this.url('oauth/token'),
      () => ({
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=client_credentials&scope=${formEncode(SCOPE)}`,
      }),
      what,
    );
    const token = this.tokenOf(reply, what);
    this.token = token;
    return token;
  }

  private tokenOf(reply: Reply, what: string): string {
    let body: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(reply.body) as unknown;
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      body = null;
    }
    if (reply.status !== 200) {
      const oauth =
        body && typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : excerpt(reply.body, this.secrets());
      const code =
        reply.status === 400 || reply.status === 401 || reply.status === 403
          ? ErrorCode.INVALID_CONFIG
          : ErrorCode.IO;
      throw new PondError(
        code,
        `${what}: HTTP ${reply.status}: ${excerpt(oauth, this.secrets())} (check the client id and secret: HYDRO_KEY_ID and HYDRO_KEY_VALUE, or the config's \${env:} references)`,
      );
    }
    const token = body?.access_token;
    if (
      !isJson(reply.headers.get('content-type')) ||
      typeof token !== 'string' ||
      token === '' ||
      typeof body?.token_type !== 'string'
    ) {
      throw new PondError(
        ErrorCode.INVALID_DATA,
        `${what}: the answer is not a token (a JSON object with access_token and token_type)`,
      );
    }
    return token;
  }

  /** GET `url` with the bearer token; a 401 renews the token once and asks again. */
  private async get(url: string, what: string, headers: Record<string, string> = {}) {
    let token = this.token ?? (await this.authenticate());
    const init = () => ({
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...headers },
    });
    let reply = await this.send(url, init, what);
    if (reply.status === 401) {
      token = await this.authenticate();
      reply = await this.send(url, init, what);
    }
    if (reply.status < 200 || reply.status > 299) {
      throw new PondError(
        ErrorCode.IO,
        `${what}: HTTP ${reply.status} from HydroVu API${reply.attempts > 1 ? ` after ${reply.attempts} attempts` : ''}: ${excerpt(reply.body, this.secrets())}`,
      );
    }
    return reply;
  }

  /** The friendly names of parameters and units (one request; no pagination). */
  async dictionary(): Promise<Dictionary> {
    const what = 'HydroVu friendly names (GET /public-api/v1/sispec/friendlynames)';
    const reply = await this.get(this.url('v1/sispec/friendlynames'), what);
    return parseDictionary(reply.body, what);
  }

  /**
   * The pages of readings of `location` from `startTime` (Unix seconds), while
   * `x-isi-next-page` continues them and fewer than `maxPoints` points have arrived.
   */
  async *pages(location: number, startTime: number, maxPoints: number): AsyncIterable<PageResult> {
    const url = this.url(`v1/locations/${location}/data?startTime=${startTime}`);
    let next: string | null = null;
    let points = 0;
    for (let number = 1; ; number++) {
      const what = `HydroVu data (location ${location}, page ${number})`;
      const reply = await this.get(url, what, next === null ? {} : { [START_PAGE]: next });
      const page = parsePage(reply.body, what);
      yield { page, number };
      points += page.points;
      const previous: string | null = next;
      next = reply.headers.get(NEXT_PAGE);
      if (next === null || next === '' || points >= maxPoints) return;
      if (next === previous) {
        throw new PondError(
          ErrorCode.INVALID_DATA,
          `${what}: x-isi-next-page names the page just read again; stopping rather than looping`,
        );
      }
    }
  }
}

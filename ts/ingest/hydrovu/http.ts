// SPDX-License-Identifier: Apache-2.0
/**
 * One HTTP exchange with the HydroVu API through Node's `fetch` (undici): a timeout per
 * attempt (body included), and retries with exponential backoff on 429, 5xx, network
 * failures and timeouts, waiting what a `Retry-After` header asks (capped) instead of the
 * backoff when the server sends one. Bodies are read whole (pages are JSON documents).
 * Anything echoed back by the server is redacted of the run's secrets before it can reach
 * an error message.
 */

import { ErrorCode, PondError } from '../../errors.js';

/** The longest pause a `Retry-After` may impose (a larger one is waited this long). */
export const MAX_RETRY_AFTER_MS = 300_000;
/** The longest computed backoff between attempts. */
export const MAX_BACKOFF_MS = 60_000;
/** How much of an error body goes into a message. */
const BODY_EXCERPT = 300;

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** The first backoff; each retry doubles it. */
  readonly backoffMs: number;
  /** Waits between attempts (tests record the pauses instead of taking them). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Values never to show (credentials, tokens), replaced by `[redacted]`. */
  readonly secrets: () => readonly string[];
}

/** A response read whole. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** Requests this exchange took, retries included. */
  readonly attempts: number;
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** `text` with each secret of 4 characters or more replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}

/** The start of a body for a message, one line, redacted. */
export function excerpt(body: string, secrets: readonly string[]): string {
  const flat = redact(body, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > BODY_EXCERPT ? `${flat.slice(0, BODY_EXCERPT)}...` : flat;
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

function backoff(options: HttpOptions, attempt: number): number {
  return Math.min(options.backoffMs * 2 ** attempt, MAX_BACKOFF_MS);
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function failure(err: unknown, what: string, attempts: number, options: HttpOptions): PondError {
  const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
  if (isTimeout(err)) {
    return new PondError(
      ErrorCode.TIMEOUT,
      `${what}: no complete answer within ${options.timeoutMs} ms${tries} (request_timeout)`,
    );
  }
  const cause = err instanceof Error ? (err.cause ?? err) : err;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PondError(
    ErrorCode.IO,
    `${what}: request failed${tries}: ${redact(reason, options.secrets())}`,
  );
}

/**
 * `fetch(url, init())`, retried as described above; `init` is called for each attempt, so
 * a retry carries the newest token. Resolves with the final response (of any status):
 * callers decide what a status means. Rejects with IO or TIMEOUT once retries are spent.
 */
export async function exchange(
  url: string,
  init: () => RequestInit,
  what: string,
  options: HttpOptions,
): Promise<Reply> {
  const sleep = options.sleep ?? sleepFor;
  for (let attempt = 0; ; attempt++) {
    const attempts = attempt + 1;
    let reply: Reply;
    try {
      const response = await fetch(url, {
        ...init(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const body = await response.text();
      reply = { status: response.status, headers: response.headers, body, attempts };
    } catch (err) {
      if (attempt >= options.maxRetries) throw failure(err, what, attempts, options);
      await sleep(backoff(options, attempt));
      continue;
    }
    if (!retryable(reply.status) || attempt >= options.maxRetries) return reply;
    await sleep(retryAfterMs(reply.headers.get('retry-after')) ?? backoff(options, attempt));
  }
}

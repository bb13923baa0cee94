// SPDX-License-Identifier: Apache-2.0
/**
 * A real S3-compatible server on loopback for the replication tests: moto's server
 * (`moto[server]` from PyPI, installed by scripts/python-tools.sh into the cache), started
 * on a free port of 127.0.0.1. Readiness is its "Running on" line, not a delay.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers.js';

export interface S3Server {
  readonly endpoint: string;
  /** Create a bucket (moto accepts unsigned requests). */
  bucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Credentials moto accepts, given to pond as `${env:}` references. */
export const S3_ENV = {
  POND_TEST_S3_KEY: 'pond-test-key',
  POND_TEST_S3_SECRET: 'pond-test-secret-5e7',
};
export const S3_OPTIONS = {
  region: 'us-east-1',
  access_key_id: '${env:POND_TEST_S3_KEY}',
  secret_access_key: '${env:POND_TEST_S3_SECRET}',
  allow_http: true,
} as const;

export async function startS3(): Promise<S3Server> {
  const python = execFileSync('bash', [join(REPO, 'scripts', 'python-tools.sh')], {
    encoding: 'utf8',
  }).trim();
  const child: ChildProcess = spawn(
    join(dirname(python), 'moto_server'),
    ['-H', '127.0.0.1', '-p', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) resolve(m[1] as string);
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.on('exit', (code) => reject(new Error(`moto_server exited ${code}: ${seen}`)));
  });
  const stopped = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    endpoint,
    async bucket(name) {
      const res = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
      if (!res.ok) throw new Error(`creating bucket ${name}: ${res.status} ${await res.text()}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await stopped;
    },
  };
}

/** A TCP relay to `endpoint` on its own loopback port, which a test can take down and
 * bring back on the same port: a real outage of the server as pond sees it. */
export interface Relay {
  readonly endpoint: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function relay(endpoint: string): Promise<Relay> {
  const { createServer, connect } = await import('node:net');
  const target = new URL(endpoint);
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as import('node:net').AddressInfo).port);
      });
    });
  const port = await listen(0);
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    down,
    up: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await down();
    },
  };
}

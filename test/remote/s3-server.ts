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
export const S3_ENV = { POND_TEST_S3_KEY: 'testing', POND_TEST_S3_SECRET: 'testing' };
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

// SPDX-License-Identifier: Apache-2.0
/** In-process CLI runs with an environment of the test's choosing, keeping the thrown error. */

import { PassThrough } from 'node:stream';
import { createCli } from '../../ts/cli/main.js';
import { PondError } from '../../ts/errors.js';

export interface EnvResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The code of what the command threw, or 'OK'. */
  readonly code: string;
  readonly error: unknown;
}

/** Run `pond ARGS` against `pondDir` with `env` added to the process environment. */
export async function pondWith(
  pondDir: string,
  env: Record<string, string>,
  ...args: string[]
): Promise<EnvResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errChunks.push(c));
  const { program, ctx } = createCli({
    stdout: out,
    stderr: err,
    env: { ...process.env, ...env, POND: pondDir },
    cwd: process.cwd(),
  });
  ctx.args = [...args];
  let error: unknown = null;
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return {
    stdout: Buffer.concat(chunks).toString('utf8'),
    stderr: Buffer.concat(errChunks).toString('utf8'),
    code: error === null ? 'OK' : error instanceof PondError ? error.code : 'THROWN',
    error,
  };
}

/** Like {@link pondWith}, but fail unless the command succeeds; its stdout. */
export async function pondWithOk(
  pondDir: string,
  env: Record<string, string>,
  ...args: string[]
): Promise<string> {
  const r = await pondWith(pondDir, env, ...args);
  if (r.code !== 'OK') throw new Error(`pond ${args.join(' ')}: ${String(r.error)}`);
  return r.stdout;
}

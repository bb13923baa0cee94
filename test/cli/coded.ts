// SPDX-License-Identifier: Apache-2.0
/** In-process CLI runs that keep the thrown error, so tests can assert its code and path. */

import { PassThrough } from 'node:stream';
import { createCli } from '../../ts/cli/main.js';

export interface CodedResult {
  readonly stdout: string;
  readonly stderr: string;
  /** What the command threw (null when it succeeded). */
  readonly error: unknown;
}

/** Run `pond ARGS` in-process against `pondDir` (POND unset when undefined). */
export function pondCoded(pondDir: string | undefined, ...args: string[]): Promise<CodedResult> {
  return pondCodedEnv(pondDir, {}, args);
}

/** {@link pondCoded} with `env` added to the process environment. */
export async function pondCodedEnv(
  pondDir: string | undefined,
  extra: Readonly<Record<string, string>>,
  args: readonly string[],
): Promise<CodedResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errChunks.push(c));
  const env: Record<string, string | undefined> = { ...process.env, ...extra, POND: pondDir };
  if (pondDir === undefined) delete env.POND;
  const { program, ctx } = createCli({ stdout: out, stderr: err, env, cwd: process.cwd() });
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
    error,
  };
}

// SPDX-License-Identifier: Apache-2.0
/** In-process CLI runs with an environment of the test's choosing, keeping the thrown error. */

import { PondError } from '../../ts/errors.js';
import { pondCodedEnv } from '../cli/coded.js';

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
  const r = await pondCodedEnv(pondDir, env, args);
  const code = r.error === null ? 'OK' : r.error instanceof PondError ? r.error.code : 'THROWN';
  return { ...r, code };
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

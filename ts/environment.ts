// SPDX-License-Identifier: Apache-2.0
/**
 * The composition root: what a pond's dynamic nodes, factories and transactions run with.
 * `Pond.open/create` take a {@link PondEnvironment}; the CLI builds one from its command
 * line (`-d`, its streams, its environment variables) and opens one `Pond` with it.
 */

import { userCacheHome } from './compat/pond.js';
import { dynamicNodes } from './factories/dynamic.js';
import { defaultRegistry } from './factories/index.js';
import type { Registry } from './factories/registry.js';
import { type RunEnvironment, runPostCommit } from './factories/run.js';
import type { ProgressFactory } from './progress.js';
import { type Clock, systemClock } from './steward/control.js';
import type { StewardOptions } from './steward/steward.js';
import type { FSOptions } from './tinyfs/fs.js';

/**
 * What a pond's dynamic nodes and factories run with. Every field has a default, so
 * `Pond.open(path)` behaves as the CLI does with no `-d`.
 *
 * @example
 * ```ts
 * import { defaultRegistry, Pond } from 'duckpond';
 * const registry = defaultRegistry().with(myFactory);
 * const pond = await Pond.open('/data/pond', { registry, hostRoot: '/data/host' });
 * ```
 */
export interface PondEnvironment {
  /** The factories `mknod`, reads and runs know (default: pond's own, `defaultRegistry()`). */
  readonly registry?: Registry;
  /** Values for `${env:VAR}` in configs (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The root of `host+` URLs and of host paths in configs (default `/`). */
  readonly hostRoot?: string;
  /**
   * Milliseconds since the epoch, for the time of every record and row a transaction
   * writes and for durations (default `Date.now`). Tests inject a fixed one.
   */
  readonly clock?: Clock;
  /** Where executable factories print, for post-commit runs after library commits and for
   * `pond.run` without its own `out` (default: nowhere). */
  readonly out?: (text: string) => void;
  /** Warnings, such as a post-commit run that failed (default: nowhere). */
  readonly err?: (text: string) => void;
  /** Progress counters for long factory runs (default: none). */
  readonly progress?: ProgressFactory;
}

/** A {@link PondEnvironment} with every default filled in. */
export type Environment = Required<Omit<PondEnvironment, 'progress'>> &
  Pick<PondEnvironment, 'progress'>;

export function withDefaults(environment: PondEnvironment): Environment {
  return {
    registry: environment.registry ?? defaultRegistry(),
    env: environment.env ?? process.env,
    hostRoot: environment.hostRoot ?? '/',
    clock: environment.clock ?? systemClock,
    out: environment.out ?? (() => undefined),
    err: environment.err ?? (() => undefined),
    ...(environment.progress ? { progress: environment.progress } : {}),
  };
}

/** What executable factories run with; `out` defaults to the environment's. */
export function runEnvironment(environment: Environment, out = environment.out): RunEnvironment {
  const { registry, env, hostRoot, err, progress } = environment;
  return { registry, env, hostRoot, out, err, ...(progress ? { progress } : {}) };
}

/** tinyfs options that make dynamic nodes work with the environment's factories. */
export function factoryOptions(environment: Environment): FSOptions {
  const { registry, env, hostRoot } = environment;
  return { dynamic: dynamicNodes({ registry, env, hostRoot }) };
}

/** Post-commit factories run after every commit, the library's and the CLI's alike. */
export function stewardOptions(environment: Environment): StewardOptions {
  const run = runEnvironment(environment);
  return {
    clock: environment.clock,
    cacheHome: userCacheHome(environment.env),
    afterCommit: async (steward, seq) => {
      await runPostCommit(steward, seq, run);
      // Backups last, so they carry what post-commit factories just wrote.
      const { pushAfterCommit } = await import('./remote/remotes.js');
      await pushAfterCommit(steward, seq, environment.env, environment.err);
    },
  };
}

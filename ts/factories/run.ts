// SPDX-License-Identifier: Apache-2.0
/**
 * Executable factory nodes: `pond run PATH ARGS...` and post-commit runs. A run is one
 * write transaction: the factory gets the pond root inside it, and everything it writes
 * commits when it returns; an error aborts it and the control table records `failed`.
 * After every committed write, each executable node under `/system/run/` (then the seeds'
 * `/etc/system.d/`) runs in name order, each in its own transaction, with args `[push]`,
 * unless the setting `factory.<name>.mode` is `pull`. A post-commit failure is recorded
 * and reported; it never undoes the triggering commit and does not stop the others.
 * Either way a node's host paths are rooted at the pond's `host.root` (`pondHostRoot`).
 */

import { ErrorCode, PondError } from '../errors.js';
import type { ProgressFactory } from '../progress.js';
import { pondHostRoot } from '../steward/control.js';
import type { Steward } from '../steward/steward.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { NodePath, WD } from '../tinyfs/fs.js';
import type { FactoryEnvironment } from './dynamic.js';
import type { Factory } from './registry.js';
import { storedConfig } from './stored-config.js';

/** Where bare names given to `pond run` are looked up, in order. */
export const RUN_DIRS = ['/system/run', '/system/etc'] as const;
/** Directories whose executable nodes run after each commit, in this order. */
export const POST_COMMIT_DIRS = ['/system/run', '/etc/system.d'] as const;

/** The setting that selects a factory's post-commit mode. */
export function modeKey(factory: string): string {
  return `factory.${factory}.mode`;
}

export type RunMode = 'push' | 'pull';

export interface RunEnvironment extends FactoryEnvironment {
  out(text: string): void;
  /** Warnings (a failed post-commit run). */
  err(text: string): void;
  /** How long a post-commit run waits for the write lock. */
  readonly waitMs?: number;
  /** Progress counters for the factories it runs (none from the library). */
  readonly progress?: ProgressFactory;
}

type Executable = Factory & { kind: 'executable' };

interface LoadedNode {
  readonly path: string;
  readonly factory: Executable;
  readonly config: unknown;
}

/** The node at `path`, or null when it or a parent is missing. */
async function find(root: WD, path: string): Promise<NodePath | null> {
  try {
    const found = await root.lookup(path, { follow: true });
    return found.kind === 'found' ? found.np : null;
  } catch (err) {
    if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  }
}

/** `NAME` (no slash) becomes the first of `/system/run/NAME`, `/system/etc/NAME` that exists. */
export async function resolveRunTarget(root: WD, target: string): Promise<string> {
  if (target.includes('/')) return target;
  for (const dir of RUN_DIRS) {
    const path = `${dir}/${target}`;
    if (await find(root, path)) return path;
  }
  throw new PondError(
    ErrorCode.NOT_FOUND,
    `no executable node named ${target} (looked in ${RUN_DIRS.join(', ')})`,
    { path: target },
  );
}

/** The executable node at `path` with its config parsed, env-expanded and validated. */
export async function loadExecutable(
  root: WD,
  path: string,
  environment: FactoryEnvironment,
): Promise<LoadedNode> {
  const np = await find(root, path);
  if (!np) throw new PondError(ErrorCode.NOT_FOUND, `${path}: no such node`, { path });
  const ref = np.node.ref;
  const stored =
    ref.entryType === EntryType.FileDynamic
      ? await storedConfig(root.fs.persistence, ref, environment.env)
      : null;
  const factory = stored ? environment.registry.get(stored.factory) : null;
  if (!stored || !factory || factory.kind !== 'executable') {
    const what = factory ? `a ${factory.name} node` : `a ${ref.entryType} entry`;
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `${np.path}: not an executable factory node (it is ${what})`,
      { path: np.path },
    );
  }
  const config = factory.validate(stored.config, environment.registry);
  return { path: np.path, factory, config };
}

/** Run the executable node `target` in its own write transaction. */
export async function runNode(
  steward: Steward,
  target: string,
  args: readonly string[],
  environment: RunEnvironment,
  options: {
    recordArgs: readonly string[];
    parentSeq?: number;
    waitMs?: number;
    /** The pond's host root, when the caller has read it already. */
    hostRoot?: string;
  },
): Promise<{ committed: boolean; txnSeq: number }> {
  // A stored node writes where the pond's own setting allows, not where the caller's -d says.
  const hostRoot = options.hostRoot ?? pondHostRoot(await steward.settings(), steward.store.path);
  const result = await steward.write(
    options.recordArgs,
    async (root) => {
      const node = await loadExecutable(root, await resolveRunTarget(root, target), environment);
      await node.factory.run(node.config, {
        root,
        inPond: true,
        path: node.path,
        args,
        env: environment.env,
        hostRoot,
        out: environment.out,
        err: environment.err,
        ...(environment.progress ? { progress: environment.progress } : {}),
      });
    },
    {
      kind: options.parentSeq === undefined ? 'run' : 'post-commit',
      ...(options.parentSeq === undefined ? {} : { parentSeq: options.parentSeq }),
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    },
  );
  return { committed: result.committed, txnSeq: result.txnSeq };
}

/** Executable nodes under the post-commit directories, in run order. */
export async function postCommitNodes(
  root: WD,
  environment: FactoryEnvironment,
): Promise<Array<{ path: string; factory: string }>> {
  const out: Array<{ path: string; factory: string }> = [];
  for (const dir of POST_COMMIT_DIRS) {
    const np = await find(root, dir);
    if (np?.node.kind !== 'directory') continue;
    const entries = await np.node.dir.entries();
    for (const [name, node] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (node.ref.entryType !== EntryType.FileDynamic) continue;
      const versions = await root.fs.persistence.versions(node.ref);
      const factory = versions[versions.length - 1]?.factory;
      if (!factory) continue;
      const def = environment.registry.get(factory);
      if (def.kind === 'executable') out.push({ path: `${dir}/${name}`, factory: def.name });
    }
  }
  return out;
}

/** What one post-commit node did after a commit. */
export interface PostCommitRun {
  readonly path: string;
  readonly factory: string;
  readonly outcome: 'committed' | 'unchanged' | 'skipped (pull mode)' | 'failed';
  readonly error?: string;
}

/** Run every post-commit node after the commit `txnSeq` (the steward's afterCommit hook). */
export async function runPostCommit(
  steward: Steward,
  txnSeq: number,
  environment: RunEnvironment,
): Promise<PostCommitRun[]> {
  let nodes: Array<{ path: string; factory: string }>;
  let settings: Map<string, string>;
  try {
    nodes = await postCommitNodes(await steward.reader(), environment);
    if (nodes.length === 0) return [];
    settings = await steward.settings();
  } catch (err) {
    // The commit stands; say why nothing ran after it.
    const message = err instanceof Error ? err.message : String(err);
    environment.err(`post-commit factories did not run after transaction ${txnSeq}: ${message}\n`);
    return [];
  }
  const hostRoot = pondHostRoot(settings, steward.store.path);
  const out: PostCommitRun[] = [];
  for (const { path, factory } of nodes) {
    if ((settings.get(modeKey(factory)) ?? 'push') === 'pull') {
      out.push({ path, factory, outcome: 'skipped (pull mode)' });
      continue;
    }
    try {
      const result = await runNode(steward, path, ['push'], environment, {
        recordArgs: ['run', path, 'push'],
        parentSeq: txnSeq,
        waitMs: environment.waitMs ?? 30_000,
        hostRoot,
      });
      out.push({ path, factory, outcome: result.committed ? 'committed' : 'unchanged' });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      environment.err(`post-commit ${path} failed (recorded in pond log): ${message}\n`);
      out.push({ path, factory, outcome: 'failed', error: message });
    }
  }
  return out;
}

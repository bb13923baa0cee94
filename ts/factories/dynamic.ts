// SPDX-License-Identifier: Apache-2.0
/**
 * Dynamic nodes: a stored node with a factory name and YAML config becomes a directory, a
 * queryable table or a computed file when read. This is the tinyfs `DynamicNodes` hook;
 * factories that compute children (dynamic-dir, csvdir...) build them with `factoryNode`.
 * A node whose config took values from the environment has every error it raises, now or
 * on a later listing or read, scrubbed of those values.
 */

import { stringify as stringifyYaml } from 'yaml';
import { ErrorCode, PondError } from '../errors.js';
import type { PlanContext } from '../query/planner.js';
import { selectAll, type TableSpec } from '../query/spec.js';
import { EntryType } from '../tinyfs/entry-type.js';
import type { FS } from '../tinyfs/fs.js';
import {
  type Directory,
  type DynamicNodes,
  type File,
  type Node,
  ReadOnlyDirectory,
} from '../tinyfs/node.js';
import type { NodeRef, VersionRecord } from '../tinyfs/persistence.js';
import { type Secret, scrubbing, scrubbingStream, secretsOf, unexpanded } from './config.js';
import type { Factory, FactoryContext, Registry } from './registry.js';
import { storedConfig } from './stored-config.js';

/** What dynamic nodes need from their surroundings. */
export interface FactoryEnvironment {
  readonly registry: Registry;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Root of `host+` URLs in configs. */
  readonly hostRoot: string;
}

/** The entry type a factory's nodes are stored as. */
export function entryTypeFor(factory: Factory): EntryType {
  switch (factory.kind) {
    case 'directory':
      return EntryType.DirectoryDynamic;
    case 'table':
      return EntryType.TableDynamic;
    case 'file':
    case 'transform':
    case 'executable':
      return EntryType.FileDynamic;
  }
}

function readOnly(what: string): PondError {
  return new PondError(ErrorCode.READ_ONLY, `${what}: computed by a factory, read-only`);
}

/** The FSOptions.dynamic hook for a factory environment. */
export function dynamicNodes(environment: FactoryEnvironment): (fs: FS) => DynamicNodes {
  return (fs) => async (ref, persistence, path) => {
    const stored = await storedConfig(persistence, ref, environment.env);
    if (!stored) {
      throw new PondError(ErrorCode.INVALID_CONFIG, `${path}: dynamic node records no factory`, {
        path,
      });
    }
    const root = await fs.root();
    const plan: PlanContext = {
      root,
      hostRoot: environment.hostRoot,
      cacheDir: persistence.cacheDir ?? null,
    };
    const ctx: FactoryContext = {
      root,
      ref,
      path,
      registry: environment.registry,
      env: environment.env,
      plan,
    };
    return factoryNode(ref, stored.factory, stored.config, ctx, stored);
  };
}

/** What a stored node brings to {@link factoryNode}: its versions and its config text. */
export interface StoredConfig {
  readonly versions?: readonly VersionRecord[];
  /** The config as stored (unexpanded); shown when a transform or executable is read. */
  readonly text?: string;
}

/** A node computed by `factoryName` from a parsed config. */
export async function factoryNode(
  ref: NodeRef,
  factoryName: string,
  rawConfig: unknown,
  ctx: FactoryContext,
  stored: StoredConfig = {},
): Promise<Node> {
  const factory = ctx.registry.get(factoryName);
  const config = factory.validate(rawConfig, ctx.registry);
  const nodeCtx: FactoryContext = { ...ctx, ref };
  const versions = stored.versions ?? [];
  const secrets = secretsOf(config);
  switch (factory.kind) {
    case 'directory':
      return scrubbedNode(
        { kind: 'directory', ref, dir: await factory.open(config, nodeCtx) },
        secrets,
      );
    case 'table':
      return scrubbedNode(
        computedTable(ref, nodeCtx, versions, (visiting) =>
          factory
            .table(config, { ...nodeCtx, plan: { ...nodeCtx.plan, visiting } })
            .catch((err: unknown) => {
              throw missingInput(nodeCtx.path, err);
            }),
        ),
        secrets,
      );
    case 'file':
      return scrubbedNode(
        computedFile(ref, nodeCtx.path, versions, () => factory.content(config, nodeCtx)),
        secrets,
      );
    case 'transform':
    case 'executable': {
      // Read as a file, a transform or executable shows its config as written, never
      // expanded; `pond run` and other factories use it by path.
      const text = stored.text ?? stringifyYaml(unexpanded(rawConfig));
      return computedFile(ref, nodeCtx.path, versions, async function* () {
        yield new TextEncoder().encode(text);
      });
    }
  }
}

/** `node`, with every error from it or from nodes reached through it scrubbed of `secrets`. */
function scrubbedNode(node: Node, secrets: readonly Secret[]): Node {
  if (secrets.length === 0) return node;
  switch (node.kind) {
    case 'directory':
      return { ...node, dir: new ScrubbedDirectory(node.dir, secrets) };
    case 'file':
      return { ...node, file: scrubbedFile(node.file, secrets) };
    case 'symlink': {
      const link = node.link;
      return { ...node, link: { readlink: () => scrubbing(secrets, () => link.readlink()) } };
    }
  }
}

function scrubbedFile(file: File, secrets: readonly Secret[]): File {
  const out: File = {
    versions: () => scrubbing(secrets, () => file.versions()),
    read: (version) => scrubbingStream(secrets, () => file.read(version)),
    write: (source, meta) => scrubbing(secrets, () => file.write(source, meta)),
  };
  const { localPath, queryable } = file;
  if (localPath) out.localPath = (v) => scrubbing(secrets, () => localPath.call(file, v));
  if (queryable) out.queryable = (v) => scrubbing(secrets, () => queryable.call(file, v));
  return out;
}

class ScrubbedDirectory implements Directory {
  constructor(
    private readonly inner: Directory,
    private readonly secrets: readonly Secret[],
  ) {}

  get writable(): boolean {
    return this.inner.writable;
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    return scrubbing(this.secrets, fn);
  }

  async get(name: string): Promise<Node | null> {
    const node = await this.guard(() => this.inner.get(name));
    return node && scrubbedNode(node, this.secrets);
  }

  async entries(): Promise<Array<[string, Node]>> {
    const entries = await this.guard(() => this.inner.entries());
    return entries.map(([name, node]): [string, Node] => [name, scrubbedNode(node, this.secrets)]);
  }

  createDirectory(name: string): Promise<Node> {
    return this.guard(() => this.inner.createDirectory(name));
  }

  createFile(...args: Parameters<Directory['createFile']>): Promise<Node> {
    return this.guard(() => this.inner.createFile(...args));
  }

  createSymlink(name: string, target: string): Promise<Node> {
    return this.guard(() => this.inner.createSymlink(name, target));
  }
}

/** A queryable computed file: its rows come from `spec`, its versions are `versions`. */
export function computedTable(
  ref: NodeRef,
  ctx: FactoryContext,
  versions: readonly VersionRecord[],
  spec: (visiting: readonly string[]) => Promise<TableSpec>,
): Node {
  return { kind: 'file', ref, file: new TableFile(ctx.path, versions, spec) };
}

class TableFile implements File {
  constructor(
    private readonly path: string,
    private readonly configVersions: readonly VersionRecord[],
    readonly queryable: (visiting: readonly string[]) => Promise<TableSpec>,
  ) {}

  async versions(): Promise<readonly VersionRecord[]> {
    return this.configVersions;
  }

  /** The table as Parquet bytes (what `copy` out writes). */
  async *read(): AsyncIterable<Uint8Array> {
    const { query } = await import('../native/engine.js');
    const spec = await this.queryable([this.path]);
    yield* query(selectAll('source', spec), { source: spec }, { format: 'parquet' });
  }

  async write(): Promise<VersionRecord> {
    throw readOnly(this.path);
  }
}

/** A read-only directory whose entries a factory computes on each listing. */
export class ComputedDirectory extends ReadOnlyDirectory {
  constructor(
    private readonly path: string,
    private readonly children: () => Promise<Array<[string, Node]>>,
  ) {
    super();
  }

  protected refuse(name: string): PondError {
    return readOnly(`${this.path}/${name}`);
  }

  async get(name: string): Promise<Node | null> {
    return (await this.children()).find(([n]) => n === name)?.[1] ?? null;
  }

  async entries(): Promise<Array<[string, Node]>> {
    return (await this.children()).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** A read-only file whose bytes come from `content`. */
export function computedFile(
  ref: NodeRef,
  path: string,
  versions: readonly VersionRecord[],
  content: () => AsyncIterable<Uint8Array>,
): Node {
  const file: File = {
    versions: async () => versions,
    read: content,
    write: async () => {
      throw readOnly(path);
    },
  };
  return { kind: 'file', ref, file };
}

/**
 * A derived table's input that does not exist (removed, moved, not written yet), named as
 * an input of the node that reads it; other errors pass through.
 */
function missingInput(path: string, err: unknown): unknown {
  if (!(err instanceof PondError) || err.code !== ErrorCode.NOT_FOUND) return err;
  if (err.message.startsWith(`${path}: `)) return err;
  return new PondError(ErrorCode.NOT_FOUND, `${path}: missing input: ${err.message}`, {
    path: err.path ?? path,
    cause: err,
  });
}

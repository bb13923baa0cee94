// SPDX-License-Identifier: Apache-2.0
/**
 * The filesystem view: `FS` over a persistence layer, `WD` (a working directory) for
 * path operations, and `NodePath` (a node with the path it was reached by). Lookups
 * return a tagged `Lookup` rather than throwing, so callers decide what "missing" means.
 */

import {
  alreadyExists,
  ErrorCode,
  invalidArgument,
  isADirectory,
  notADirectory,
  notFound,
  PondError,
} from '../errors.js';
import type { PondHistory } from '../history/source.js';
import { EntryType, isDynamicType, isFileType } from './entry-type.js';
import { compileGlob, fixedPrefix, type GlobTree, hasWildcard, walkGlob } from './glob.js';
import {
  atPath,
  brokenError,
  type DynamicNodes,
  makeNode,
  type Node,
  noDynamicNodes,
} from './node.js';
import { basename, checkName, components, dirname, join, normalize } from './path.js';
import type { ContentSource, Persistence, VersionMeta, VersionRecord } from './persistence.js';

/** How many symlinks one lookup may follow before it is called a loop. */
export const SYMLINK_LIMIT = 32;

export interface NodePath {
  readonly node: Node;
  readonly path: string;
}

export type DirectoryPath = NodePath & { readonly node: Node & { kind: 'directory' } };
export type FilePath = NodePath & { readonly node: Node & { kind: 'file' } };

export type Lookup =
  | { readonly kind: 'found'; readonly np: NodePath }
  /** The parent directory exists; `name` does not exist in it. */
  | { readonly kind: 'missing'; readonly parent: DirectoryPath; readonly name: string };

export interface GlobMatch {
  readonly np: NodePath;
  readonly captures: readonly string[];
}

/** How a glob walk treats a broken dynamic node (one whose factory fails). */
export interface GlobOptions {
  /**
   * Called once per broken node the walk meets, which is then skipped. Without it a broken
   * node the pattern matches is still yielded (using it fails, naming its path) and one the
   * walk only passes through is skipped silently.
   */
  readonly onBroken?: (path: string, error: PondError) => void;
}

export interface FSOptions {
  /** Builds the hook that turns dynamic entries into nodes, given the FS they live in. */
  readonly dynamic?: (fs: FS) => DynamicNodes;
  /** The root directory, when it is not the persistence layer's (host namespaces). */
  readonly root?: (fs: FS) => Promise<Node>;
  /** The pond's transaction log and the point in it this FS shows (ponds only). */
  readonly history?: PondHistory;
}

export class FS {
  readonly persistence: Persistence;
  readonly dynamic: DynamicNodes;
  readonly history: PondHistory | null;

  private readonly customRoot: FSOptions['root'];

  constructor(persistence: Persistence, options: FSOptions = {}) {
    this.persistence = persistence;
    this.dynamic = options.dynamic ? options.dynamic(this) : noDynamicNodes;
    this.customRoot = options.root;
    this.history = options.history ?? null;
  }

  async root(): Promise<WD> {
    if (this.customRoot)
      return new WD(this, { node: await this.customRoot(this), path: '/' } as DirectoryPath);
    const node = await makeNode(
      this.persistence,
      {
        id: this.persistence.rootId,
        partId: this.persistence.rootId,
        entryType: EntryType.DirectoryPhysical,
      },
      this.dynamic,
      '/',
    );
    return new WD(this, { node, path: '/' } as DirectoryPath);
  }
}

function asDirectory(np: NodePath): DirectoryPath {
  if (np.node.kind !== 'directory') throw notADirectory(np.path);
  return np as DirectoryPath;
}

export class WD {
  constructor(
    readonly fs: FS,
    readonly np: DirectoryPath,
  ) {}

  get path(): string {
    return this.np.path;
  }

  /** Resolve a path (relative to this directory), following symlinks except, unless
   * `follow`, a symlink in the last position. */
  async lookup(path: string, options: { follow?: boolean } = {}): Promise<Lookup> {
    const follow = options.follow ?? true;
    const root = await this.fs.root();
    let parts = components(path, components(this.path));
    let cur: NodePath = root.np;
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      const dir = asDirectory(cur);
      const child = await dir.node.dir.get(name);
      const last = i === parts.length - 1;
      if (!child) {
        if (last) return { kind: 'missing', parent: dir, name };
        throw notFound(join(cur.path, name));
      }
      if (child.kind === 'symlink' && (!last || follow)) {
        if (++hops > SYMLINK_LIMIT) {
          throw new PondError(
            ErrorCode.SYMLINK_LOOP,
            `${normalize(path, this.path)}: too many levels of symbolic links`,
            {
              path: normalize(path, this.path),
            },
          );
        }
        const target = await child.link.readlink();
        parts = [...components(target, components(cur.path)), ...parts.slice(i + 1)];
        cur = root.np;
        i = -1;
        continue;
      }
      cur = { node: child, path: join(cur.path, name) };
    }
    return { kind: 'found', np: cur };
  }

  /**
   * The node at `path`, or null when it or a directory on the way does not exist; other
   * failures (a broken dynamic node, a hostmount leaving the host root) still throw.
   */
  async find(path: string, options: { follow?: boolean } = {}): Promise<NodePath | null> {
    const found = await this.lookup(path, options).catch((err: unknown) => {
      if (err instanceof PondError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    });
    return found?.kind === 'found' ? found.np : null;
  }

  /** The node at `path`; NOT_FOUND if it does not exist. */
  async get(path: string, options: { follow?: boolean } = {}): Promise<NodePath> {
    const found = await this.lookup(path, options);
    if (found.kind === 'missing') throw notFound(join(found.parent.path, found.name));
    return found.np;
  }

  async cd(path: string): Promise<WD> {
    return new WD(this.fs, asDirectory(await this.get(path)));
  }

  /** The file at `path`; IS_A_DIRECTORY for directories. */
  async file(path: string): Promise<FilePath> {
    const np = await this.get(path);
    if (np.node.kind !== 'file') throw isADirectory(np.path);
    return np as FilePath;
  }

  /** Create a directory; with `parents`, missing parents too and no error if it exists. */
  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<WD> {
    const parts = components(path, components(this.path));
    if (parts.length === 0) {
      if (options.parents) return this.fs.root();
      throw alreadyExists('/');
    }
    let cur = await this.fs.root();
    for (let i = 0; i < parts.length; i++) {
      const name = checkName(parts[i] as string);
      const last = i === parts.length - 1;
      const found = await cur.lookup(name);
      if (found.kind === 'found') {
        if (last && !options.parents) throw alreadyExists(found.np.path);
        cur = new WD(this.fs, asDirectory(found.np));
        continue;
      }
      if (!last && !options.parents) throw notFound(join(cur.path, name));
      cur = new WD(
        this.fs,
        (await this.createIn(found.parent, name, (d) => d.createDirectory(name))) as DirectoryPath,
      );
    }
    return cur;
  }

  /** Create a new file; ALREADY_EXISTS if the path exists. */
  async createFile(
    path: string,
    entryType: EntryType,
    source: ContentSource,
    meta?: VersionMeta,
  ): Promise<FilePath> {
    const found = await this.lookup(path);
    if (found.kind === 'found') throw alreadyExists(found.np.path);
    const name = checkName(found.name);
    return (await this.createIn(found.parent, name, (d) =>
      d.createFile(name, entryType, source, meta),
    )) as FilePath;
  }

  /**
   * Write a file: create it, or add a version when it exists. A new version must keep
   * the file's entry type (when given).
   */
  async writeFile(
    path: string,
    source: ContentSource,
    options: { entryType?: EntryType; meta?: VersionMeta } = {},
  ): Promise<{ np: FilePath; created: boolean; version: VersionRecord | null }> {
    const found = await this.lookup(path);
    if (found.kind === 'missing') {
      const type = options.entryType ?? EntryType.FilePhysicalVersion;
      return {
        np: await this.createFile(path, type, source, options.meta),
        created: true,
        version: null,
      };
    }
    const np = found.np;
    if (np.node.kind === 'directory') throw isADirectory(np.path);
    if (np.node.kind !== 'file' || !isFileType(np.node.ref.entryType))
      throw invalidArgument(`${np.path}: not a file`, np.path);
    if (options.entryType && options.entryType !== np.node.ref.entryType) {
      throw new PondError(
        ErrorCode.SCHEMA_MISMATCH,
        `${np.path}: is ${np.node.ref.entryType}, cannot add a ${options.entryType} version`,
        { path: np.path },
      );
    }
    const version = await np.node.file.write(source, options.meta);
    return { np: np as FilePath, created: false, version };
  }

  async symlink(path: string, target: string): Promise<NodePath> {
    const found = await this.lookup(path, { follow: false });
    if (found.kind === 'found') throw alreadyExists(found.np.path);
    const name = checkName(found.name);
    return this.createIn(found.parent, name, (d) => d.createSymlink(name, target));
  }

  /**
   * Remove the node at `path` from its directory: a symlink itself, not its target; a
   * directory with entries only with `recursive` (its whole subtree goes). The node's
   * versions stay in the log, readable as of an earlier transaction.
   */
  async remove(path: string, options: { recursive?: boolean } = {}): Promise<NodePath> {
    const np = await this.get(path, { follow: false });
    const parent = await this.writableParent(np, 'remove');
    if (np.node.kind === 'directory' && !options.recursive) {
      const physical = np.node.ref.entryType === EntryType.DirectoryPhysical;
      if (!physical || (await np.node.dir.entries()).length > 0) {
        const what = physical ? 'a directory with entries' : 'a dynamic directory';
        throw invalidArgument(`${np.path}: is ${what}; remove it with -r (recursive)`, np.path);
      }
    }
    await this.fs.persistence.unlink(parent.node.ref.id, basename(np.path));
    return np;
  }

  /**
   * Move (rename) the node at `from` to `to`, like `mv`: into `to` when it is a directory,
   * else to the new name `to`, which must not exist. The node keeps its id and versions; a
   * directory keeps its subtree.
   */
  async move(from: string, to: string): Promise<NodePath> {
    const src = await this.get(from, { follow: false });
    const srcParent = await this.writableParent(src, 'move');
    const dest = await this.lookup(to);
    let dir: DirectoryPath;
    let name: string;
    if (dest.kind === 'missing') {
      dir = dest.parent;
      name = checkName(dest.name);
    } else if (dest.np.node.kind === 'directory') {
      dir = dest.np as DirectoryPath;
      name = basename(src.path);
      if (await dir.node.dir.get(name)) throw alreadyExists(join(dir.path, name));
    } else {
      throw alreadyExists(dest.np.path);
    }
    if (src.node.kind === 'directory' && `${dir.path}/`.startsWith(`${src.path}/`)) {
      throw invalidArgument(
        `cannot move ${src.path} into itself (${join(dir.path, name)})`,
        src.path,
      );
    }
    this.checkWritable(dir, name);
    await this.fs.persistence.move(
      srcParent.node.ref.id,
      basename(src.path),
      dir.node.ref.id,
      name,
    );
    return this.get(join(dir.path, name), { follow: false });
  }

  /** The physical, writable directory `np` is an entry of. */
  private async writableParent(np: NodePath, verb: string): Promise<DirectoryPath> {
    if (np.path === '/') throw invalidArgument(`cannot ${verb} /`, '/');
    const parent = asDirectory(await this.get(dirname(np.path)));
    this.checkWritable(parent, basename(np.path));
    return parent;
  }

  private checkWritable(parent: DirectoryPath, name: string): void {
    if (!parent.node.dir.writable || parent.node.ref.entryType !== EntryType.DirectoryPhysical) {
      throw new PondError(
        ErrorCode.READ_ONLY,
        `${join(parent.path, name)}: ${parent.path} is read-only`,
        { path: join(parent.path, name) },
      );
    }
  }

  private async createIn(
    parent: DirectoryPath,
    name: string,
    create: (dir: DirectoryPath['node']['dir']) => Promise<Node>,
  ): Promise<NodePath> {
    if (!parent.node.dir.writable) this.checkWritable(parent, name);
    const node = await create(parent.node.dir);
    return { node, path: join(parent.path, name) };
  }

  /** NOT_FOUND unless the directory before a glob's first wildcard exists: a glob that could
   * never match is an error, not an empty result (`list`, `describe` and queries alike). */
  async requireGlobPrefix(pattern: string): Promise<void> {
    if (!hasWildcard(pattern)) return;
    const prefix = fixedPrefix(pattern);
    const top = await this.find(prefix);
    if (top?.node.kind !== 'directory') {
      throw notFound(prefix, 'the fixed part of the pattern does not exist');
    }
  }

  /** Every node matching a glob (relative patterns are rooted here), with its captures.
   * Symlinks are reported, not followed; results are in walk order. */
  async *glob(pattern: string, options: GlobOptions = {}): AsyncIterable<GlobMatch> {
    const absolute = pattern.startsWith('/') ? pattern : join(this.path, pattern);
    const root = await this.fs.root();
    const reported = new Set<string>();
    const report = options.onBroken
      ? (path: string, error: PondError) => {
          if (reported.has(path)) return;
          reported.add(path);
          options.onBroken?.(path, error);
        }
      : null;
    const tree = pondTree(report);
    for await (const m of walkGlob(tree, compileGlob(absolute), root.np)) {
      const broken = brokenError(m.node);
      if (broken && report) report(m.path, broken);
      else yield { np: { node: m.node, path: m.path }, captures: m.captures };
    }
  }
}

/**
 * The pond as a glob tree. A broken dynamic directory (one whose factory fails) the walk
 * reaches through a wildcard is reported and skipped; one the pattern names fails.
 */
function pondTree(report: ((path: string, error: PondError) => void) | null): GlobTree<Node> {
  return {
    isDirectory: (node) => node.kind === 'directory',
    child: async (node, _path, name) =>
      node.kind === 'directory' ? ((await node.dir.get(name)) ?? null) : null,
    children: async (node, path, named) => {
      if (node.kind !== 'directory') return null;
      try {
        return await node.dir.entries();
      } catch (err) {
        if (named) throw atPath(path, err);
        if (!isDynamicType(node.ref.entryType) && !brokenError(node)) throw err;
        report?.(path, atPath(path, err));
        return null;
      }
    },
  };
}

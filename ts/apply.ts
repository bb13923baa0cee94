// SPDX-License-Identifier: Apache-2.0
/**
 * `apply`: declarative changes from multi-document YAML, each
 * `{version: v1, kind: mkdir|copy|mknod|rm, metadata: {path}, spec}` (the original
 * DuckPond's shapes; `rm` is pond's own). Planning is pure and checks every document before
 * anything runs; documents apply in dependency order (removals, directories, copies, then
 * nodes; parents first), whatever order the files list them, in one transaction that
 * reports `created`, `updated`, `removed` or `unchanged` per document (an all-unchanged run
 * commits nothing). A copy of a host directory copies its tree; missing parents of a copy
 * or mknod are created. `rm` removes a node (`spec.recursive` for a directory with
 * entries); one already absent is unchanged, so applying the same files twice is a no-op.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join as hostJoin } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ErrorCode, PondError } from './errors.js';
import {
  any,
  bool,
  ConfigError,
  type Env,
  obj,
  oneOf,
  parseConfigText,
  str,
} from './factories/config.js';
import { type MknodOutcome, mknod, validateConfig } from './factories/mknod.js';
import type { Registry } from './factories/registry.js';
import {
  checkParquet,
  type IngestOptions,
  ingestEntryType,
  ingestHostFile,
} from './query/ingest.js';
import { isUrl, parseUrl } from './query/url.js';
import { EntryType } from './tinyfs/entry-type.js';
import type { FilePath, WD } from './tinyfs/fs.js';
import { hostError, hostUrlPath, realInside } from './tinyfs/host-path.js';
import { checkName, dirname, join, normalize } from './tinyfs/path.js';
import { collect } from './tinyfs/persistence.js';

export type ApplyDoc =
  | { readonly kind: 'mkdir'; readonly path: string; readonly where: string }
  | {
      readonly kind: 'copy';
      readonly path: string;
      readonly where: string;
      readonly source: string;
      readonly entryType: EntryType;
      readonly overwrite: boolean;
      readonly timeColumn?: string;
    }
  | {
      readonly kind: 'mknod';
      readonly path: string;
      readonly where: string;
      readonly factory: string;
      readonly config: string;
    }
  | {
      readonly kind: 'rm';
      readonly path: string;
      readonly where: string;
      readonly recursive: boolean;
    };

/** What applying one document did. */
export type ApplyOutcome = MknodOutcome | 'removed';

const envelope = obj(
  {
    version: oneOf('v1'),
    kind: oneOf('mkdir', 'copy', 'mknod', 'rm'),
    metadata: obj({ path: str }),
  },
  { spec: any },
);
const mkdirSpec = obj({});
const copySpec = obj({ source: str }, { overwrite: bool, time_column: str });
const mknodSpec = obj({ factory: str, config: any });
const rmSpec = obj({}, { recursive: bool });

function entryTypeOf(source: string, where: string): EntryType {
  const url = isUrl(source) ? parseUrl(source) : null;
  if (!url?.host) {
    throw new ConfigError(
      `${where}: spec.source must be a host URL (host:///path, host+table:///path, host+series:///path), got ${JSON.stringify(source)}`,
    );
  }
  const type = ingestEntryType(url);
  if (!type) throw new ConfigError(`${where}: spec.source: cannot copy in as ${url.format}`);
  return type;
}

/** Where documents apply in the transaction: removals, directories, copies, then nodes. */
const KIND_ORDER: Record<ApplyDoc['kind'], number> = { rm: 0, mkdir: 1, copy: 2, mknod: 3 };

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

function isBelow(path: string, dir: string): boolean {
  return dir === '/' || path.startsWith(`${dir}/`);
}

/**
 * The order documents apply in, whatever order the files list them: `rm` first, then
 * `mkdir`, `copy` and `mknod`, each kind shallow paths first (a parent before what goes
 * into it), in file order otherwise, so a `mknod` reading another node's output follows it
 * as written. A document inside a path an `rm` document removes is refused: the two cannot
 * both hold.
 */
export function applyOrder<D extends ApplyDoc>(docs: readonly D[]): D[] {
  for (const rm of docs) {
    if (rm.kind !== 'rm') continue;
    const inside = docs.find((d) => d !== rm && d.kind !== 'rm' && isBelow(d.path, rm.path));
    if (inside) {
      throw new ConfigError(
        `${inside.where}: ${inside.path} is inside ${rm.path}, which ${rm.where} removes`,
      );
    }
  }
  const indexed = docs.map((doc, i) => ({ doc, i }));
  indexed.sort((a, b) => {
    const kind = KIND_ORDER[a.doc.kind] - KIND_ORDER[b.doc.kind];
    if (kind !== 0) return kind;
    const byDepth = a.doc.kind === 'mknod' ? 0 : depth(a.doc.path) - depth(b.doc.path);
    return byDepth !== 0 ? byDepth : a.i - b.i;
  });
  return indexed.map(({ doc }) => doc);
}

/**
 * A copy document's spec with `${env:VAR}` expanded in its values, as the original does
 * for copy specs (mknod configs are stored as written and expanded when used).
 */
function expandSpec(spec: unknown, env: Env): unknown {
  if (spec === null || typeof spec !== 'object') return spec;
  return parseConfigText(stringify(spec), env);
}

/**
 * Parse and check documents (pure). `files` are `{name, text}`; errors name file and
 * document. `env` holds the values of `${env:VAR}` in copy specs. The documents come back
 * in the order they apply in ({@link applyOrder}).
 */
export function planApply(
  files: readonly { name: string; text: string }[],
  env: Env = {},
): ApplyDoc[] {
  const docs: ApplyDoc[] = [];
  const paths = new Set<string>();
  for (const file of files) {
    parseAllDocuments(file.text).forEach((doc, i) => {
      const where = `${file.name} document ${i + 1}`;
      if (doc.errors.length > 0)
        throw new ConfigError(`${where}: malformed YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
      const raw = doc.toJSON();
      if (raw === null || raw === undefined) return;
      try {
        const head = envelope.parse(raw, '');
        if (!head.metadata.path.startsWith('/')) {
          throw new ConfigError(
            `metadata.path: must be an absolute pond path (/...), got ${JSON.stringify(head.metadata.path)}`,
          );
        }
        const path = normalize(head.metadata.path);
        if (paths.has(path)) throw new ConfigError(`metadata.path: ${path} appears twice`);
        paths.add(path);
        docs.push(planDoc(head.kind, head.spec, path, where, env));
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(`${where}: ${err.message}`);
        throw err;
      }
    });
  }
  return applyOrder(docs);
}

function planDoc(
  kind: ApplyDoc['kind'],
  rawSpec: unknown,
  path: string,
  where: string,
  env: Env,
): ApplyDoc {
  switch (kind) {
    case 'mkdir':
      mkdirSpec.parse(rawSpec ?? {}, 'spec');
      return { kind: 'mkdir', path, where };
    case 'copy': {
      const spec = copySpec.parse(expandSpec(rawSpec, env), 'spec');
      return {
        kind: 'copy',
        path,
        where,
        source: spec.source,
        entryType: entryTypeOf(spec.source, where),
        overwrite: spec.overwrite ?? false,
        ...(spec.time_column ? { timeColumn: spec.time_column } : {}),
      };
    }
    case 'mknod': {
      const spec = mknodSpec.parse(rawSpec, 'spec');
      const config = typeof spec.config === 'string' ? spec.config : stringify(spec.config);
      return { kind: 'mknod', path, where, factory: spec.factory, config };
    }
    case 'rm': {
      const spec = rmSpec.parse(rawSpec ?? {}, 'spec');
      return { kind: 'rm', path, where, recursive: spec.recursive ?? false };
    }
  }
}

export interface ApplyOptions {
  readonly registry: Registry;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Root of host URLs. */
  readonly hostRoot: string;
  /** Plan each table node's query when it is stored (default true); see `mknod`. */
  readonly check?: boolean;
}

/** One host file a copy document brings in, and the pond path it lands at. */
export interface CopiedFile {
  readonly from: string;
  readonly to: string;
}

/** A copy document with what its source holds: one file, or a directory's tree. */
export type CheckedCopy = ApplyDoc & {
  readonly kind: 'copy';
  /** Whether the source is a host directory (copied recursively). */
  readonly isDir: boolean;
  /** The pond directories the tree needs, parents first (a directory source only). */
  readonly dirs: readonly string[];
  readonly files: readonly CopiedFile[];
};

/** A document ready to apply: copies know their host files. */
export type CheckedDoc = Exclude<ApplyDoc, { kind: 'copy' }> | CheckedCopy;

function hostPath(source: string, hostRoot: string): string {
  return hostUrlPath(hostRoot, parseUrl(source).path);
}

/**
 * A host directory's tree, names sorted: its subdirectories as pond paths below `to`, and
 * its regular files. Symlinks (and fifos, sockets, devices) inside it are skipped, as
 * `pond copy` skips them.
 */
async function hostTree(
  dir: string,
  to: string,
  out: { dirs: string[]; files: CopiedFile[] },
): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true }).catch((err) => {
    throw hostError(err, dir);
  });
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const from = hostJoin(dir, child.name);
    const target = join(to, checkName(child.name));
    if (child.isDirectory()) {
      out.dirs.push(target);
      await hostTree(from, target, out);
    } else if (child.isFile()) out.files.push({ from, to: target });
  }
}

async function checkCopy(
  doc: ApplyDoc & { kind: 'copy' },
  options: ApplyOptions,
): Promise<CheckedCopy> {
  const file = hostPath(doc.source, options.hostRoot);
  await realInside(options.hostRoot, file, ErrorCode.INVALID_ARGUMENT);
  const st = await stat(file).catch(() => null);
  if (!st?.isFile() && !st?.isDirectory()) {
    throw new PondError(
      ErrorCode.NOT_FOUND,
      st
        ? `${doc.where} (${doc.path}): host path ${file} is not a regular file or directory`
        : `${doc.where} (${doc.path}): host file or directory ${file} does not exist`,
      { path: file },
    );
  }
  const tree = { dirs: [] as string[], files: [] as CopiedFile[] };
  if (st.isDirectory()) await hostTree(file, doc.path, tree);
  else tree.files.push({ from: file, to: doc.path });
  if (doc.entryType !== EntryType.FilePhysicalVersion) {
    for (const f of tree.files) await checkParquet(f.from);
  }
  return { ...doc, isDir: st.isDirectory(), ...tree };
}

/** Checks that need the host and the registry; run before the transaction. Copy
 * documents come back with the host files they copy. */
export async function checkApply(
  docs: readonly ApplyDoc[],
  options: ApplyOptions,
): Promise<CheckedDoc[]> {
  const out: CheckedDoc[] = [];
  for (const doc of docs) {
    if (doc.kind === 'mknod') {
      try {
        validateConfig(doc.factory, doc.config, { registry: options.registry, env: options.env });
      } catch (err) {
        if (err instanceof PondError)
          throw new PondError(err.code, `${doc.where} (${doc.path}): ${err.message}`);
        throw err;
      }
      out.push(doc);
    } else if (doc.kind === 'copy') out.push(await checkCopy(doc, options));
    else out.push(doc);
  }
  return out;
}

/** Whether the pond file holds the host file's bytes as its newest version. */
async function sameContent(np: FilePath, hostFile: string): Promise<boolean> {
  const versions = await np.node.file.versions();
  const latest = versions[versions.length - 1];
  const size = (await stat(hostFile)).size;
  if (!latest || (latest.size !== null && latest.size !== size)) return false;
  if (latest.blake3) {
    const { blake3File } = await import('./native/remote.js');
    return (await blake3File(hostFile)) === latest.blake3;
  }
  const current = Buffer.from(await collect(np.node.file.read()));
  return current.equals(await readFile(hostFile));
}

/** Create the parents of `path` that are missing (the original's apply does the same). */
async function ensureParent(root: WD, path: string): Promise<void> {
  await root.mkdir(dirname(path), { parents: true });
}

/** Copy one host file to `to`: 'created', 'updated' (a new version) or 'unchanged'. */
async function copyFile(root: WD, doc: CheckedCopy, file: CopiedFile): Promise<MknodOutcome> {
  const found = await root.lookup(file.to);
  const ingest: IngestOptions = doc.timeColumn ? { timeColumn: doc.timeColumn } : {};
  if (found.kind === 'missing') {
    await ingestHostFile(root, file.from, file.to, doc.entryType, ingest);
    return 'created';
  }
  const np = found.np;
  if (np.node.kind !== 'file') {
    throw new PondError(ErrorCode.IS_A_DIRECTORY, `${doc.where}: ${file.to} is a directory`, {
      path: file.to,
    });
  }
  if (await sameContent(np as FilePath, file.from)) return 'unchanged';
  if (!doc.overwrite) {
    throw new PondError(
      ErrorCode.ALREADY_EXISTS,
      `${doc.where}: ${file.to} exists and differs from ${file.from}; set overwrite: true for a new version`,
      { path: file.to },
    );
  }
  await ingestHostFile(root, file.from, file.to, doc.entryType, ingest);
  return 'updated';
}

/**
 * Copy a host directory's tree to `doc.path`: 'created' when the directory was new, else
 * 'updated' when any file or directory was added or given a new version, else
 * 'unchanged'. Pond entries the host directory lacks are kept.
 */
async function copyDirectory(root: WD, doc: CheckedCopy): Promise<MknodOutcome> {
  const found = await root.lookup(doc.path);
  if (found.kind === 'found' && found.np.node.kind !== 'directory') {
    throw new PondError(
      ErrorCode.NOT_A_DIRECTORY,
      `${doc.where}: ${doc.path} exists and is not a directory; ${doc.source} is a host directory`,
      { path: doc.path },
    );
  }
  let changed = found.kind === 'missing';
  await root.mkdir(doc.path, { parents: true });
  for (const dir of doc.dirs) {
    const at = await root.lookup(dir);
    if (at.kind === 'found' && at.np.node.kind === 'directory') continue;
    if (at.kind === 'found') {
      throw new PondError(
        ErrorCode.NOT_A_DIRECTORY,
        `${doc.where}: ${dir} exists and is not a directory, but the host has a directory there`,
        { path: dir },
      );
    }
    await root.mkdir(dir);
    changed = true;
  }
  for (const file of doc.files) {
    if ((await copyFile(root, doc, file)) !== 'unchanged') changed = true;
  }
  if (found.kind === 'missing') return 'created';
  return changed ? 'updated' : 'unchanged';
}

async function applyCopy(root: WD, doc: CheckedCopy): Promise<MknodOutcome> {
  await ensureParent(root, doc.path);
  if (doc.isDir) return copyDirectory(root, doc);
  return copyFile(root, doc, doc.files[0] as CopiedFile);
}

async function applyMkdir(root: WD, doc: ApplyDoc & { kind: 'mkdir' }): Promise<MknodOutcome> {
  const found = await root.find(doc.path);
  if (found) {
    if (found.node.kind !== 'directory') {
      throw new PondError(
        ErrorCode.ALREADY_EXISTS,
        `${doc.where}: ${doc.path} exists and is not a directory`,
        { path: doc.path },
      );
    }
    return 'unchanged';
  }
  await root.mkdir(doc.path, { parents: true });
  return 'created';
}

async function applyRm(root: WD, doc: ApplyDoc & { kind: 'rm' }): Promise<ApplyOutcome> {
  const found = await root.lookup(doc.path, { follow: false }).catch(() => null);
  if (found?.kind !== 'found') return 'unchanged';
  try {
    await root.remove(doc.path, { recursive: doc.recursive });
  } catch (err) {
    if (err instanceof PondError) {
      throw new PondError(err.code, `${doc.where}: ${err.message}`, { path: doc.path });
    }
    throw err;
  }
  return 'removed';
}

/** Apply checked documents in order; the caller's transaction makes them one commit. */
export async function runApply(
  root: WD,
  docs: readonly CheckedDoc[],
  options: ApplyOptions,
): Promise<{ path: string; outcome: ApplyOutcome }[]> {
  const out: { path: string; outcome: ApplyOutcome }[] = [];
  for (const doc of docs) {
    let outcome: ApplyOutcome;
    switch (doc.kind) {
      case 'mkdir':
        outcome = await applyMkdir(root, doc);
        break;
      case 'copy':
        outcome = await applyCopy(root, doc);
        break;
      case 'mknod':
        await ensureParent(root, doc.path);
        outcome = await mknod(root, doc.path, doc.factory, doc.config, {
          ...options,
          overwrite: true,
        });
        break;
      case 'rm':
        outcome = await applyRm(root, doc);
        break;
    }
    out.push({ path: doc.path, outcome });
  }
  return out;
}

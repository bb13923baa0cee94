// SPDX-License-Identifier: Apache-2.0
/**
 * `apply`: declarative changes from multi-document YAML, each
 * `{version: v1, kind: mkdir|copy|mknod|rm, metadata: {path}, spec}`. Planning is pure and
 * checks every document before anything runs; applying happens in one transaction and
 * reports `created`, `updated`, `removed` or `unchanged` per document (an all-unchanged
 * run commits nothing). `rm` removes a node (`spec.recursive` for a directory with
 * entries); one already absent is unchanged, so applying the same files twice is a no-op.
 */

import { readFile, stat } from 'node:fs/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { ErrorCode, PondError } from './errors.js';
import { any, bool, ConfigError, obj, oneOf, str } from './factories/config.js';
import { type MknodOutcome, mknod, validateConfig } from './factories/mknod.js';
import type { Registry } from './factories/registry.js';
import {
  checkParquet,
  type IngestOptions,
  ingestEntryType,
  ingestHostFile,
} from './query/ingest.js';
import { parseUrl } from './query/url.js';
import { EntryType } from './tinyfs/entry-type.js';
import type { WD } from './tinyfs/fs.js';
import { hostUrlPath, realInside } from './tinyfs/host-path.js';
import { normalize } from './tinyfs/path.js';
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
  const url = parseUrl(source);
  if (!url.host) throw new ConfigError(`${where}: spec.source must be a host URL (host:///path)`);
  const type = ingestEntryType(url);
  if (!type) throw new ConfigError(`${where}: spec.source: cannot copy in as ${url.format}`);
  return type;
}

/** Parse and check documents (pure). `files` are `{name, text}`; errors name file and document. */
export function planApply(files: readonly { name: string; text: string }[]): ApplyDoc[] {
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
        const env = envelope.parse(raw, '');
        const path = normalize(env.metadata.path);
        if (paths.has(path)) throw new ConfigError(`metadata.path: ${path} appears twice`);
        paths.add(path);
        switch (env.kind) {
          case 'mkdir':
            mkdirSpec.parse(env.spec ?? {}, 'spec');
            docs.push({ kind: 'mkdir', path, where });
            break;
          case 'copy': {
            const spec = copySpec.parse(env.spec, 'spec');
            docs.push({
              kind: 'copy',
              path,
              where,
              source: spec.source,
              entryType: entryTypeOf(spec.source, where),
              overwrite: spec.overwrite ?? false,
              ...(spec.time_column ? { timeColumn: spec.time_column } : {}),
            });
            break;
          }
          case 'mknod': {
            const spec = mknodSpec.parse(env.spec, 'spec');
            const config = typeof spec.config === 'string' ? spec.config : stringify(spec.config);
            docs.push({ kind: 'mknod', path, where, factory: spec.factory, config });
            break;
          }
          case 'rm': {
            const spec = rmSpec.parse(env.spec ?? {}, 'spec');
            docs.push({ kind: 'rm', path, where, recursive: spec.recursive ?? false });
            break;
          }
        }
      } catch (err) {
        if (err instanceof ConfigError) throw new ConfigError(`${where}: ${err.message}`);
        throw err;
      }
    });
  }
  return docs;
}

export interface ApplyOptions {
  readonly registry: Registry;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Root of host URLs. */
  readonly hostRoot: string;
  /** Plan each table node's query when it is stored (default true); see `mknod`. */
  readonly check?: boolean;
}

function hostPath(source: string, hostRoot: string): string {
  return hostUrlPath(hostRoot, parseUrl(source).path);
}

/** Checks that need the host and the registry; run before the transaction. */
export async function checkApply(docs: readonly ApplyDoc[], options: ApplyOptions): Promise<void> {
  for (const doc of docs) {
    if (doc.kind === 'mknod') {
      try {
        validateConfig(doc.factory, doc.config, { registry: options.registry, env: options.env });
      } catch (err) {
        if (err instanceof PondError)
          throw new PondError(err.code, `${doc.where} (${doc.path}): ${err.message}`);
        throw err;
      }
    } else if (doc.kind === 'copy') {
      const file = hostPath(doc.source, options.hostRoot);
      await realInside(options.hostRoot, file, ErrorCode.INVALID_ARGUMENT);
      if (!(await stat(file).catch(() => null))?.isFile()) {
        throw new PondError(
          ErrorCode.NOT_FOUND,
          `${doc.where} (${doc.path}): host file ${file} does not exist`,
          { path: file },
        );
      }
      if (doc.entryType !== EntryType.FilePhysicalVersion) await checkParquet(file);
    }
  }
}

async function applyCopy(
  root: WD,
  doc: ApplyDoc & { kind: 'copy' },
  hostRoot: string,
): Promise<MknodOutcome> {
  const file = hostPath(doc.source, hostRoot);
  const found = await root.lookup(doc.path);
  const ingest: IngestOptions = doc.timeColumn ? { timeColumn: doc.timeColumn } : {};
  if (found.kind === 'missing') {
    await ingestHostFile(root, file, doc.path, doc.entryType, ingest);
    return 'created';
  }
  const np = found.np;
  if (np.node.kind !== 'file')
    throw new PondError(ErrorCode.IS_A_DIRECTORY, `${doc.where}: ${doc.path} is a directory`);
  const current = Buffer.from(await collect(np.node.file.read()));
  if (current.equals(await readFile(file))) return 'unchanged';
  if (!doc.overwrite) {
    throw new PondError(
      ErrorCode.ALREADY_EXISTS,
      `${doc.where}: ${doc.path} exists and differs; set overwrite: true`,
      {
        path: doc.path,
      },
    );
  }
  await ingestHostFile(root, file, doc.path, doc.entryType, ingest);
  return 'updated';
}

/** Apply checked documents in order; the caller's transaction makes them one commit. */
export async function runApply(
  root: WD,
  docs: readonly ApplyDoc[],
  options: ApplyOptions,
): Promise<{ path: string; outcome: ApplyOutcome }[]> {
  const out: { path: string; outcome: ApplyOutcome }[] = [];
  for (const doc of docs) {
    let outcome: ApplyOutcome;
    switch (doc.kind) {
      case 'mkdir': {
        const found = await root.lookup(doc.path).catch(() => null);
        if (found?.kind === 'found') {
          if (found.np.node.kind !== 'directory') {
            throw new PondError(
              ErrorCode.ALREADY_EXISTS,
              `${doc.where}: ${doc.path} exists and is not a directory`,
            );
          }
          outcome = 'unchanged';
        } else {
          await root.mkdir(doc.path, { parents: true });
          outcome = 'created';
        }
        break;
      }
      case 'copy':
        outcome = await applyCopy(root, doc, options.hostRoot);
        break;
      case 'mknod':
        outcome = await mknod(root, doc.path, doc.factory, doc.config, {
          ...options,
          overwrite: true,
        });
        break;
      case 'rm': {
        const found = await root.lookup(doc.path, { follow: false }).catch(() => null);
        if (found?.kind !== 'found') {
          outcome = 'unchanged';
          break;
        }
        try {
          await root.remove(doc.path, { recursive: doc.recursive });
        } catch (err) {
          if (err instanceof PondError) {
            throw new PondError(err.code, `${doc.where}: ${err.message}`, { path: doc.path });
          }
          throw err;
        }
        outcome = 'removed';
        break;
      }
    }
    out.push({ path: doc.path, outcome });
  }
  return out;
}

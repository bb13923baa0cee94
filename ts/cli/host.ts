// SPDX-License-Identifier: Apache-2.0
/**
 * Host mode: with no pond selected, pond paths name the host filesystem (rooted at `-d`),
 * with `--hostmount /mnt=host+FACTORY:///cfg.yaml` (a factory node) and `/mnt=DIR` (a host
 * directory, which must lie inside `-d`) mounted over it. `host+` URLs at or below a mount
 * point name the mounted nodes too (the planner's `hostMounts`), also inside the mounted
 * factories' own configs. Everything is read-only.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, invalidArgument, PondError } from '../errors.js';
import { parseConfigText } from '../factories/config.js';
import { dynamicNodes, entryTypeFor, factoryNode } from '../factories/dynamic.js';
import type { Registry } from '../factories/registry.js';
import { EntryType } from '../tinyfs/entry-type.js';
import { FS, type WD } from '../tinyfs/fs.js';
import { HostDirectory, HostPersistence, OverlayDirectory } from '../tinyfs/host.js';
import { hostConfigPath, hostUrlPath } from '../tinyfs/host-path.js';
import type { Directory, Node } from '../tinyfs/node.js';
import { derivedNodeId } from '../tinyfs/node-id.js';
import { components } from '../tinyfs/path.js';

export type HostMount =
  | { readonly at: string[]; readonly kind: 'dir'; readonly dir: string }
  | {
      readonly at: string[];
      readonly kind: 'factory';
      readonly factory: string;
      readonly config: string;
    };

/** `host+FACTORY:///path`: a factory config read from a host file. */
export const FACTORY_URL = /^host\+([a-z][a-z0-9-]*):\/\/(\/.*)$/;

/** Parse `--hostmount /mnt=host+FACTORY:///cfg.yaml` or `/mnt=DIR`. */
export function parseHostmount(spec: string): HostMount {
  const eq = spec.indexOf('=');
  if (eq < 1)
    throw invalidArgument(
      `--hostmount ${spec}: expected /MOUNT=host+FACTORY:///config.yaml or /MOUNT=DIR`,
    );
  const at = components(spec.slice(0, eq));
  if (at.length === 0) throw invalidArgument(`--hostmount ${spec}: cannot mount over /`);
  const source = spec.slice(eq + 1);
  const m = FACTORY_URL.exec(source);
  if (m) return { at, kind: 'factory', factory: m[1] as string, config: m[2] as string };
  if (source.includes('://'))
    throw invalidArgument(
      `--hostmount ${spec}: the source must be host+FACTORY:///path or a directory`,
    );
  return { at, kind: 'dir', dir: source };
}

interface Tree {
  node?: () => Promise<Node>;
  children: Map<string, Tree>;
}

/** Where host mode runs: the root of host paths (`-d`), the environment for `${env:}` in
 * configs, and the directory relative mount paths are under. */
export interface HostSetting {
  readonly hostRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The factories mounts may name. */
  readonly registry: Registry;
}

/** The host namespace: the host root, with `mounts` laid over it. */
export function hostNamespace(host: HostSetting, mounts: readonly HostMount[]): Promise<WD> {
  const { hostRoot, env, registry } = host;
  const hostMounts = mounts.map((m) => `/${m.at.join('/')}`);
  let root: Promise<Node> | undefined;
  const fs: FS = new FS(new HostPersistence(), {
    dynamic: dynamicNodes({ registry, env, hostRoot }),
    root: () => {
      root ??= Promise.resolve(buildRoot());
      return root;
    },
  });

  const mountNode = (m: HostMount) => async (): Promise<Node> => {
    const path = `/${m.at.join('/')}`;
    if (m.kind === 'dir') {
      const ref = {
        id: derivedNodeId(EntryType.DirectoryDynamic, `mount:${path}`),
        partId: '',
        entryType: EntryType.DirectoryDynamic,
      };
      const dir = hostConfigPath(hostRoot, resolve(host.cwd, m.dir), ErrorCode.INVALID_ARGUMENT);
      return { kind: 'directory', ref, dir: new HostDirectory(dir, ref, { dir, root: hostRoot }) };
    }
    const file = hostUrlPath(hostRoot, m.config);
    const text = await readFile(file, 'utf8').catch(() => {
      throw new PondError(
        ErrorCode.NOT_FOUND,
        `--hostmount ${path}: config file ${file} not found`,
        { path: file },
      );
    });
    const factory = registry.get(m.factory);
    const ref = {
      id: derivedNodeId(entryTypeFor(factory), `mount:${path}`),
      partId: '',
      entryType: entryTypeFor(factory),
    };
    const ns = await fs.root();
    return factoryNode(ref, m.factory, parseConfigText(text, env), {
      root: ns,
      ref,
      path,
      registry,
      env,
      plan: { root: ns, hostRoot, cacheDir: null, hostMounts },
    });
  };

  const tree: Tree = { children: new Map() };
  for (const m of mounts) {
    let t = tree;
    for (const name of m.at) {
      let next = t.children.get(name);
      if (!next) {
        next = { children: new Map() };
        t.children.set(name, next);
      }
      t = next;
    }
    t.node = mountNode(m);
  }

  function overlay(base: Directory | null, t: Tree): Directory {
    const entries = new Map<string, () => Promise<Node>>();
    for (const [name, child] of t.children) {
      const { node } = child;
      entries.set(
        name,
        node ??
          (async () => {
            const below = base ? await base.get(name) : null;
            const ref = {
              id: derivedNodeId(EntryType.DirectoryDynamic, `overlay:${name}`),
              partId: '',
              entryType: EntryType.DirectoryDynamic,
            };
            return {
              kind: 'directory',
              ref,
              dir: overlay(below?.kind === 'directory' ? below.dir : null, child),
            };
          }),
      );
    }
    return new OverlayDirectory(base, entries);
  }

  function buildRoot(): Node {
    const ref = {
      id: fs.persistence.rootId,
      partId: fs.persistence.rootId,
      entryType: EntryType.DirectoryDynamic,
    };
    const dir = new HostDirectory(hostRoot, ref, { dir: hostRoot, root: hostRoot });
    return { kind: 'directory', ref, dir: overlay(dir, tree) };
  }

  return fs.root();
}

// SPDX-License-Identifier: Apache-2.0
/**
 * `hostmount`: a read-only, live mirror of a host directory. The directory lies inside the
 * host root (`-d`): a relative path is below it, an absolute one must be inside it.
 */

import { ErrorCode } from '../errors.js';
import { HostDirectory } from '../tinyfs/host.js';
import { hostConfigPath } from '../tinyfs/host-path.js';
import { obj, str } from './config.js';
import { defineFactory } from './registry.js';

const config = obj({ directory: str });

export const hostmount = defineFactory({
  name: 'hostmount',
  description:
    'read-only live mirror of a host directory (files and subdirectories; host symlinks skipped)',
  config,
  check(config) {
    // Empty paths, NUL bytes and `..` above `/` are wrong under any root; the root itself
    // is known only when the node is used.
    hostConfigPath('/', config.directory);
  },
  async open(config, ctx) {
    const root = ctx.plan.hostRoot;
    const dir = hostConfigPath(root, config.directory, ErrorCode.INVALID_CONFIG);
    return new HostDirectory(dir, ctx.ref, { dir, root });
  },
});

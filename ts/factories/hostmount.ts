// SPDX-License-Identifier: Apache-2.0
/** `hostmount`: a read-only, live mirror of a host directory. */

import { isAbsolute, resolve } from 'node:path';
import { HostDirectory } from '../tinyfs/host.js';
import { obj, str } from './config.js';
import { directoryFactory } from './registry.js';

const config = obj({ directory: str });

export const hostmount = directoryFactory({
  name: 'hostmount',
  description:
    'read-only live mirror of a host directory (files and subdirectories; host symlinks skipped)',
  config,
  async open(config, ctx) {
    const dir = isAbsolute(config.directory)
      ? config.directory
      : resolve(ctx.plan.hostRoot, config.directory);
    return new HostDirectory(dir, ctx.ref);
  },
});

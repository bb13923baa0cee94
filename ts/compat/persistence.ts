// SPDX-License-Identifier: Apache-2.0
/**
 * The persistence layer of a pond written by the original DuckPond: pond's own
 * (`TlogPersistence`) over the {@link OriginalOplog}, read-only. The one difference is
 * that a query engine reading a large version in place needs its raw copy made first.
 */

import type { NodeRef, VersionRecord } from '../tinyfs/persistence.js';
import { type TlogOptions, TlogPersistence } from '../tlogfs/persistence.js';
import type { OriginalOplog } from './oplog.js';

export class OriginalPersistence extends TlogPersistence {
  constructor(
    private readonly original: OriginalOplog,
    options: Omit<TlogOptions, 'write'> = {},
  ) {
    super(original.at(options.asOfSeq), original.pondId, options);
  }

  override async localPath(node: NodeRef, version: VersionRecord): Promise<string> {
    if (version.large && version.blake3) await this.original.largeFile(version.blake3);
    return super.localPath(node, version);
  }
}

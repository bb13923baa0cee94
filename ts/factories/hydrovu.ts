// SPDX-License-Identifier: Apache-2.0
/**
 * `hydrovu` (executable): the HydroVu collector (`ts/ingest/hydrovu/`). `pond run NODE
 * collect` appends one version per device with new readings under
 * `<hydrovu_path>/devices/<id>/`; `archive [--device NAME]` compacts each device's active
 * series into a dated archive; `list-devices` shows the configured devices and what has
 * been collected. As a post-commit node (argument `push`) it collects. Credentials come
 * from the environment only; what a run prints or throws is scrubbed of them.
 */

import { ErrorCode, PondError } from '../errors.js';
import { archive, listDevices } from '../ingest/hydrovu/archive.js';
import { HydroVuClient } from '../ingest/hydrovu/client.js';
import { collect } from '../ingest/hydrovu/collect.js';
import {
  credentialsOf,
  type HydroVuConfig,
  httpSettings,
  hydrovuConfig,
} from '../ingest/hydrovu/config.js';
import { scrubbing } from './config.js';
import { defineFactory, type Factory, type RunContext } from './registry.js';

const USAGE =
  'hydrovu subcommands: collect, archive [--device NAME], list-devices (push, after a commit, collects)';

/** What tests replace: today's date, for archive names. */
export interface HydroVuOptions {
  readonly now?: () => Date;
}

type Command =
  | { readonly kind: 'collect' }
  | { readonly kind: 'archive'; readonly device?: string }
  | { readonly kind: 'list-devices' };

function usage(detail: string): PondError {
  return new PondError(ErrorCode.INVALID_ARGUMENT, `hydrovu: ${detail}; ${USAGE}`);
}

/** The subcommand in a run's arguments. */
export function parseCommand(args: readonly string[]): Command {
  const [first, ...rest] = args;
  switch (first) {
    case 'collect':
    case 'push':
      if (rest.length > 0) throw usage(`${first} takes no arguments (got ${rest.join(' ')})`);
      return { kind: 'collect' };
    case 'list-devices':
      if (rest.length > 0) throw usage(`list-devices takes no arguments (got ${rest.join(' ')})`);
      return { kind: 'list-devices' };
    case 'archive': {
      if (rest.length === 0) return { kind: 'archive' };
      const [flag, value, ...more] = rest;
      if (flag?.startsWith('--device=') && value === undefined) {
        return { kind: 'archive', device: flag.slice('--device='.length) };
      }
      if (flag === '--device' && value !== undefined && more.length === 0) {
        return { kind: 'archive', device: value };
      }
      throw usage(`archive takes --device NAME (got ${rest.join(' ')})`);
    }
    case undefined:
      throw usage('a subcommand is required');
    default:
      throw usage(`unknown subcommand ${JSON.stringify(first)}`);
  }
}

async function runCommand(
  config: HydroVuConfig,
  ctx: RunContext,
  options: HydroVuOptions,
): Promise<void> {
  const command = parseCommand(ctx.args);
  if (command.kind === 'list-devices') {
    await listDevices(config, ctx);
    return;
  }
  if (!ctx.inPond) {
    throw new PondError(
      ErrorCode.INVALID_ARGUMENT,
      `hydrovu ${command.kind} writes to a pond: run it on a node (pond mknod hydrovu PATH CONFIG), not on host+hydrovu:///`,
    );
  }
  if (command.kind === 'archive') {
    await archive(config, ctx, command.device, (options.now ?? (() => new Date()))());
    return;
  }
  const { credentials, secrets } = credentialsOf(config, ctx.env);
  const { baseUrl, ...http } = httpSettings(config);
  const client = new HydroVuClient(baseUrl, credentials, http);
  await scrubbing(secrets, () => collect(config, client, ctx));
}

/** The factory, with the given test seam (pond registers `hydrovu`, made with none). */
export function hydrovuFactory(options: HydroVuOptions = {}): Factory {
  return defineFactory({
    name: 'hydrovu',
    description:
      'collect HydroVu readings into one series per device (pond run NODE collect | archive [--device NAME] | list-devices)',
    config: hydrovuConfig,
    run: (config, ctx) => runCommand(config, ctx, options),
  });
}

export const hydrovu = hydrovuFactory();

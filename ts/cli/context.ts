// SPDX-License-Identifier: Apache-2.0
/**
 * What every command needs: where output goes, which pond is selected, and how to open
 * it for reading or writing. Tests pass their own streams and environment.
 */

import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { PondEnvironment } from '../environment.js';
import { ErrorCode, PondError } from '../errors.js';
import type { Registry } from '../factories/registry.js';
import type { Pond } from '../pond.js';
import type { Progress } from '../progress.js';
import type { PondUrl } from '../query/url.js';
import type { Clock } from '../steward/control.js';
import type { WriteOptions, WriteResult } from '../steward/steward.js';
import type { WD } from '../tinyfs/fs.js';
import { hostUrlPath } from '../tinyfs/host-path.js';
import { normalize } from '../tinyfs/path.js';
import { progress } from './progress.js';

export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The time transactions record (default the system clock); golden tests fix it. */
  readonly clock?: Clock;
}

export interface GlobalOptions {
  pond?: string;
  directory?: string;
  hostmount?: string[];
  /** Seconds a write waits for another writer's lock (default: fail at once). */
  wait?: number;
  /** No progress line on stderr. */
  quiet?: boolean;
}

export class CliContext {
  /** The command line as recorded in the transaction log. */
  args: string[] = [];
  globals: GlobalOptions = {};
  private pond: Promise<Pond> | undefined;
  private factories: Registry | undefined;
  private host: Promise<WD> | undefined;
  /** Set when a command names `host:///` paths: read the host namespace, not a pond. */
  hostMode = false;
  /** `--as-of` of the command: reads see the pond as it was then. */
  asOf: string | undefined;

  /**
   * @param io where the command reads and writes
   * @param runCli runs another pond command line (the demo shows commands over its pond)
   */
  constructor(
    readonly io: CliIO,
    readonly runCli: (argv: readonly string[], io: CliIO) => Promise<number>,
  ) {}

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  /** A progress line on stderr for `label` (nothing on a pipe or with `--quiet`). */
  progress(label: string, unit: string): Progress {
    const delay = Number(this.io.env.POND_PROGRESS_DELAY_MS);
    return progress(label, unit, {
      stream: this.io.stderr,
      quiet: this.globals.quiet ?? false,
      ...(Number.isFinite(delay) && this.io.env.POND_PROGRESS_DELAY_MS ? { delayMs: delay } : {}),
    });
  }

  /** The selected pond directory: `--pond`, else `$POND`. */
  pondPath(): string {
    const path = this.globals.pond ?? this.io.env.POND;
    if (!path) {
      throw new PondError(ErrorCode.NOT_A_POND, 'no pond selected: set POND or pass --pond PATH');
    }
    return resolve(this.io.cwd, path);
  }

  /** The root of every host path a command names (`-d DIR`, default `/`). */
  hostRoot(): string {
    const dir = this.globals.directory ?? '/';
    if (dir === '' || dir.includes('\0')) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `-d ${JSON.stringify(dir)}: not a directory`,
        {
          path: dir,
        },
      );
    }
    return resolve(this.io.cwd, dir);
  }

  /** Map a host URL path onto the host filesystem under `-d` (never above it). */
  hostPath(urlPath: string): string {
    return hostUrlPath(this.hostRoot(), urlPath);
  }

  /** The factories this command line knows: pond's own (loaded on first use). */
  async registry(): Promise<Registry> {
    if (!this.factories) {
      const { defaultRegistry } = await import('../factories/index.js');
      this.factories = defaultRegistry();
    }
    return this.factories;
  }

  /**
   * The environment the command's pond runs with: its registry, `${env:}` values, `-d`,
   * and its streams. Post-commit output goes to stderr: stdout belongs to the command
   * that committed.
   */
  async environment(): Promise<PondEnvironment> {
    return {
      registry: await this.registry(),
      env: this.io.env,
      hostRoot: this.hostRoot(),
      ...(this.io.clock ? { clock: this.io.clock } : {}),
      out: (text) => this.err(text),
      err: (text) => this.err(text),
      progress: (label, unit) => this.progress(label, unit),
    };
  }

  /** The selected pond, opened once per command with {@link environment}. */
  async open(): Promise<Pond> {
    if (!this.pond) {
      const { Pond } = await import('../pond.js');
      this.pond = Pond.open(this.pondPath(), await this.environment());
    }
    return this.pond;
  }

  /** Create the selected pond (`pond init`), recording this command line. */
  async create(options: { birthplace?: string }): Promise<Pond> {
    const { Pond } = await import('../pond.js');
    this.pond = Pond.create(this.pondPath(), {
      ...(await this.environment()),
      ...options,
      args: this.args,
    });
    return this.pond;
  }

  /** The pond paths `--hostmount` mounts at (`/views` of `/views=host+dyndir:///c.yaml`). */
  hostMountPoints(): string[] {
    return (this.globals.hostmount ?? [])
      .filter((spec) => spec.indexOf('=') > 0)
      .map((spec) => normalize(spec.slice(0, spec.indexOf('='))));
  }

  /** Whether reads go to a pond (else to the host namespace). */
  usesPond(): boolean {
    if (this.hostMode) return false;
    if (this.globals.pond ?? this.io.env.POND) return true;
    return (this.globals.hostmount ?? []).length === 0;
  }

  /** The pond root to read, or in host mode the host namespace with its mounts. */
  async reader(): Promise<WD> {
    if (this.usesPond()) {
      if (this.asOf === undefined) return (await this.open()).tree();
      const { parseAsOf } = await import('../history/as-of.js');
      return (await this.open()).tree({ asOf: parseAsOf(this.asOf) });
    }
    if (this.asOf !== undefined) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        '--as-of reads a pond as it was; host paths have no history',
      );
    }
    if (!this.host) {
      const { hostNamespace, parseHostmount } = await import('./host.js');
      const setting = {
        hostRoot: this.hostRoot(),
        env: this.io.env,
        cwd: this.io.cwd,
        registry: await this.registry(),
      };
      this.host = hostNamespace(setting, (this.globals.hostmount ?? []).map(parseHostmount));
    }
    return this.host;
  }

  /**
   * A command's path argument: a pond path as is; `host:///p` or `host+file:///p` switches
   * the command to host mode and names `p`.
   */
  async target(arg: string): Promise<string> {
    const { isUrl, parseUrl } = await import('../query/url.js');
    if (!isUrl(arg)) return arg;
    const url = parseUrl(arg);
    if (!url.host || url.format !== 'file' || url.cast || url.compression) {
      throw new PondError(
        ErrorCode.INVALID_ARGUMENT,
        `${arg}: expected a pond path, host:///path or host+file:///path`,
      );
    }
    hostUrlPath(this.hostRoot(), url.path);
    this.hostMode = true;
    return url.path;
  }

  /**
   * A `list` or `describe` pattern: a pond path or glob as is, or any URL, which names the
   * files its path matches (`csv:///a/*.csv`: those of `/a/*.csv`); a `host+` URL switches
   * the command to host mode.
   */
  async pattern(arg: string): Promise<{ path: string; url: PondUrl | null }> {
    const { isUrl, parseUrl } = await import('../query/url.js');
    if (!isUrl(arg)) return { path: arg, url: null };
    const url = parseUrl(arg);
    if (url.host) {
      hostUrlPath(this.hostRoot(), url.path);
      this.hostMode = true;
    }
    return { path: url.path, url };
  }

  /** `--wait SECONDS` as write options. */
  writeOptions(): WriteOptions {
    const wait = this.globals.wait;
    return wait === undefined ? {} : { waitMs: Math.round(wait * 1000) };
  }

  async write<T>(
    fn: (root: WD) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<WriteResult<T>> {
    return (await this.open()).writeTree(this.args, fn, { ...this.writeOptions(), ...options });
  }
}

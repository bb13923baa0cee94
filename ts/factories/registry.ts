// SPDX-License-Identifier: Apache-2.0
/**
 * Factory descriptors and the registry. A descriptor has a name, a description, a strict
 * config schema, and exactly one capability by kind: `directory` (a computed directory),
 * `table` (a queryable dynamic file: a TableSpec), `file` (computed bytes), `transform`
 * (a rewrite other configs apply), or `executable` (`run(config, ctx)`, invoked by
 * `pond run` and after commits). The registry is built from the explicit list in
 * `index.ts` and passed through context. Every capability is wrapped so that its errors are
 * scrubbed of the values its config took from the environment (see `config.ts`).
 */

import { ErrorCode, PondError } from '../errors.js';
import type { ProgressFactory } from '../progress.js';
import type { PlanContext } from '../query/planner.js';
import type { TableSpec } from '../query/spec.js';
import { markSecrets } from '../secrets.js';
import type { WD } from '../tinyfs/fs.js';
import type { Directory } from '../tinyfs/node.js';
import type { NodeRef } from '../tinyfs/persistence.js';
import {
  ConfigError,
  type Schema,
  scrubbing,
  scrubbingStream,
  scrubText,
  secretsIn,
  secretsOf,
  withSecrets,
} from './config.js';

/** What a factory sees when its node is used. */
export interface FactoryContext {
  /** The pond root as the node's reader sees it. */
  readonly root: WD;
  /** The dynamic node itself (its id seeds the ids of computed children). */
  readonly ref: NodeRef;
  /** The node's pond path, for messages. */
  readonly path: string;
  /** The factories this pond knows, for configs that nest other factories' configs. */
  readonly registry: Registry;
  /** Values for `${env:VAR}` (configs arrive already expanded; this is for nested ones). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** How to resolve pond paths and URLs in queries from here. */
  readonly plan: PlanContext;
}

/** What an executable factory sees when it runs. */
export interface RunContext {
  /**
   * The namespace it runs against: the pond root inside the run's own write transaction
   * (writable; everything commits together when `run` returns), or the host namespace
   * for `pond run host+FACTORY:///cfg.yaml` (read-only).
   */
  readonly root: WD;
  /** Whether `root` is a pond (else the host namespace). */
  readonly inPond: boolean;
  /** The node's path (or the host config URL), for messages. */
  readonly path: string;
  /** Arguments after the path; `[push]` for a post-commit run. */
  readonly args: readonly string[];
  /** Values for `${env:VAR}` (the config arrives already expanded). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Root of `host+` URLs and relative host paths in configs. */
  readonly hostRoot: string;
  /** Progress and results for the user (stdout of `pond run`). */
  out(text: string): void;
  /** Log lines (stderr of `pond run`), where the caller gives a place for them. */
  err?(text: string): void;
  /** A progress counter for long work (the CLI's progress line on a terminal), if any. */
  readonly progress?: ProgressFactory;
}

/** What every factory definition has. */
interface Common<C> {
  /** The name configs and `pond mknod` use (kebab-case). */
  readonly name: string;
  /** One line for `pond list-factories`. */
  readonly description: string;
  /** The strict config schema (see `schema` in `config.ts`); unknown keys are errors. */
  readonly config: Schema<C>;
  /** Checks beyond the schema, e.g. nested factory configs (run at mknod and at use). */
  check?(config: NoInfer<C>, registry: Registry): void;
}

/** The capability methods, of which a definition has exactly one. */
interface Capabilities<C> {
  /** A computed directory. */
  open(config: NoInfer<C>, ctx: FactoryContext): Promise<Directory>;
  /** A queryable dynamic file: the table it reads as. */
  table(config: NoInfer<C>, ctx: FactoryContext): Promise<TableSpec>;
  /** A computed file's bytes. */
  content(config: NoInfer<C>, ctx: FactoryContext): AsyncIterable<Uint8Array>;
  /** A rewrite other configs apply: `input` (whose columns are `columns`) into a new spec. */
  transform(
    config: NoInfer<C>,
    input: TableSpec,
    columns: readonly string[],
    label: string,
  ): TableSpec;
  /**
   * Do the work (`pond run`, post-commit); the config has its `${env:...}` references
   * expanded, and what `run` throws or prints through `ctx.out` is scrubbed of their values.
   */
  run(config: NoInfer<C>, ctx: RunContext): Promise<void>;
}

type Only<C, K extends keyof Capabilities<C>> = Common<C> &
  Pick<Capabilities<C>, K> & { readonly [O in Exclude<keyof Capabilities<C>, K>]?: never };

/**
 * A factory definition for {@link defineFactory}: the common fields and exactly one
 * capability method, which decides the factory's kind (`open`: directory, `table`,
 * `content`: file, `transform`, `run`: executable).
 */
export type FactoryDef<C> =
  | Only<C, 'open'>
  | Only<C, 'table'>
  | Only<C, 'content'>
  | Only<C, 'transform'>
  | Only<C, 'run'>;

/** A descriptor with its config type erased (configs are checked by `validate`). */
export type Factory =
  | {
      readonly kind: 'directory';
      readonly name: string;
      readonly description: string;
      validate(config: unknown, registry: Registry): unknown;
      open(config: unknown, ctx: FactoryContext): Promise<Directory>;
    }
  | {
      readonly kind: 'table';
      readonly name: string;
      readonly description: string;
      validate(config: unknown, registry: Registry): unknown;
      table(config: unknown, ctx: FactoryContext): Promise<TableSpec>;
    }
  | {
      readonly kind: 'file';
      readonly name: string;
      readonly description: string;
      validate(config: unknown, registry: Registry): unknown;
      content(config: unknown, ctx: FactoryContext): AsyncIterable<Uint8Array>;
    }
  | {
      readonly kind: 'transform';
      readonly name: string;
      readonly description: string;
      validate(config: unknown, registry: Registry): unknown;
      transform(
        config: unknown,
        input: TableSpec,
        columns: readonly string[],
        label: string,
      ): TableSpec;
    }
  | {
      readonly kind: 'executable';
      readonly name: string;
      readonly description: string;
      validate(config: unknown, registry: Registry): unknown;
      run(config: unknown, ctx: RunContext): Promise<void>;
    };

/**
 * A config checked by its schema and `check`. Errors are scrubbed of the values it took from
 * the environment, and the result remembers them, so that errors from its use are too.
 */
function validated<C>(def: Common<C>, raw: unknown, registry: Registry): C {
  const secrets = secretsIn(raw);
  return scrubbing(secrets, () => {
    try {
      const config = def.config.parse(raw, '');
      def.check?.(config, registry);
      return withSecrets(config, secrets);
    } catch (err) {
      throw namingFactory(err, def.name);
    }
  });
}

/** A config error with the factory's name in front (`temporal-reduce: in_pattern: ...`). */
function namingFactory(err: unknown, name: string): unknown {
  if (err instanceof ConfigError && !err.message.startsWith(`${name}: `)) {
    err.message = `${name}: ${err.message}`;
  }
  return err;
}

/**
 * A factory from its definition. Its config is checked by the schema and `check` when a
 * node is made and when it is used, and every capability is wrapped so that what it throws
 * (or, for `run`, prints) is scrubbed of the values its config took from the environment.
 */
export function defineFactory<C>(def: Only<C, 'open'>): Factory;
export function defineFactory<C>(def: Only<C, 'table'>): Factory;
export function defineFactory<C>(def: Only<C, 'content'>): Factory;
export function defineFactory<C>(def: Only<C, 'transform'>): Factory;
export function defineFactory<C>(def: Only<C, 'run'>): Factory;
export function defineFactory<C>(def: FactoryDef<C>): Factory {
  const common = {
    name: def.name,
    description: def.description,
    validate: (c: unknown, registry: Registry) => validated(def, c, registry),
  };
  if (def.open) {
    const open = def.open;
    return {
      ...common,
      kind: 'directory',
      open: (c, ctx) => scrubbing(secretsOf(c), () => open(c as C, ctx)),
    };
  }
  if (def.table) {
    const table = def.table;
    return {
      ...common,
      kind: 'table',
      table: (c, ctx) =>
        scrubbing(secretsOf(c), async () => markSecrets(await table(c as C, ctx), secretsOf(c))),
    };
  }
  if (def.content) {
    const content = def.content;
    return {
      ...common,
      kind: 'file',
      content: (c, ctx) => scrubbingStream(secretsOf(c), () => content(c as C, ctx)),
    };
  }
  if (def.transform) {
    const transform = def.transform;
    return {
      ...common,
      kind: 'transform',
      transform: (c, input, columns, label) =>
        scrubbing(secretsOf(c), () => transform(c as C, input, columns, label)),
    };
  }
  const run = def.run;
  if (!run) {
    throw new PondError(ErrorCode.INTERNAL, `factory ${common.name} defines no capability`);
  }
  return {
    ...common,
    kind: 'executable',
    run: (c, ctx) => {
      const secrets = secretsOf(c);
      const out = (text: string) => ctx.out(scrubText(text, secrets));
      const log = ctx.err;
      const err = log ? { err: (text: string) => log(scrubText(text, secrets)) } : {};
      return scrubbing(secrets, () => run(c as C, { ...ctx, out, ...err }));
    },
  };
}

/**
 * The factories a pond knows, by name (and by alias). `defaultRegistry()` has pond's own;
 * `with` adds a program's.
 *
 * @example
 * ```ts
 * const registry = defaultRegistry().with(myFactory);
 * const pond = await Pond.open('/data/pond', { registry });
 * ```
 */
export class Registry {
  private readonly byName = new Map<string, Factory>();
  private readonly aliases = new Map<string, string>();

  constructor(factories: readonly Factory[], aliases: Readonly<Record<string, string>> = {}) {
    for (const f of factories) {
      if (this.byName.has(f.name)) {
        throw new PondError(
          ErrorCode.INTERNAL,
          `two factories are named ${JSON.stringify(f.name)}`,
        );
      }
      this.byName.set(f.name, f);
    }
    for (const [alias, target] of Object.entries(aliases)) {
      if (!this.byName.has(target) || this.byName.has(alias)) {
        throw new PondError(ErrorCode.INTERNAL, `bad factory alias ${alias} -> ${target}`);
      }
      this.aliases.set(alias, target);
    }
  }

  /** The factory called `name` (or an alias of it); INVALID_CONFIG naming the known ones. */
  get(name: string): Factory {
    const f = this.byName.get(this.aliases.get(name) ?? name);
    if (!f) {
      throw new ConfigError(
        `unknown factory ${JSON.stringify(name)} (known: ${[...this.byName.keys()].join(', ')})`,
      );
    }
    return f;
  }

  /** The canonical name for `name`. */
  canonical(name: string): string {
    return this.get(name).name;
  }

  /** A registry with these factories too (a name already taken is INTERNAL). */
  with(...factories: readonly Factory[]): Registry {
    return new Registry([...this.byName.values(), ...factories], Object.fromEntries(this.aliases));
  }

  /** Every factory, sorted by name (aliases not repeated). */
  list(): readonly Factory[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}

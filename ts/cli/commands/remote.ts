// SPDX-License-Identifier: Apache-2.0
/** `backup`, `remote`, `push`, `pull`, `restore` and `verify`: copies of a pond elsewhere. */
import { type Command, Option } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { RemoteConfig, StoredRemoteOptions } from '../../pond.js';
import type { CliContext } from '../context.js';
import { bytes } from '../format.js';
import { type MetadataFormat, metadataFormatOption } from '../options.js';
import { jsonLine, writeAll } from '../output.js';

interface StoreFlags {
  region?: string;
  endpoint?: string;
  allowHttp?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  accessKey?: string;
  secretKey?: string;
}

/** The object-store options every remote command takes (the original's flag names). */
function storeOptions(command: Command): Command {
  return command
    .option('--region <region>', 'S3 region (default us-east-1)')
    .option('--endpoint <url>', 'an S3-compatible server (MinIO, R2, Ceph)')
    .option('--allow-http', 'allow an http:// endpoint')
    .option('--access-key-id <ref>', 'S3 access key: a ${env:VAR} reference, never the key')
    .option('--secret-access-key <ref>', 'S3 secret key: a ${env:VAR} reference, never the secret')
    .option('--session-token <ref>', 'S3 session token: a ${env:VAR} reference')
    .addOption(new Option('--access-key <ref>', 'alias of --access-key-id').hideHelp())
    .addOption(new Option('--secret-key <ref>', 'alias of --secret-access-key').hideHelp());
}

function stored(flags: StoreFlags): StoredRemoteOptions {
  const out: Record<string, string | boolean> = {};
  if (flags.region) out.region = flags.region;
  if (flags.endpoint) out.endpoint = flags.endpoint;
  if (flags.allowHttp) out.allow_http = true;
  const key = flags.accessKeyId ?? flags.accessKey;
  const secret = flags.secretAccessKey ?? flags.secretKey;
  if (key) out.access_key_id = key;
  if (secret) out.secret_access_key = secret;
  if (flags.sessionToken) out.session_token = flags.sessionToken;
  return out as StoredRemoteOptions;
}

function listLines(remotes: readonly RemoteConfig[], format: MetadataFormat): string[] {
  if (format === 'json') return remotes.map((r) => jsonLine(r));
  return remotes.map((r) => `${r.name}\t${r.url}\t${r.mode}\t${r.mount ?? '-'}\n`);
}

export function register(program: Command, ctx: CliContext): void {
  const backup = program
    .command('backup')
    .description(
      [
        'backups: copies of this pond that every commit pushes to',
        '',
        'URL is file:///absolute/path or s3://bucket/prefix. Credentials are given as',
        '${env:VAR} references (quote them in the shell) and expanded only when used; a',
        'literal secret is refused. After each committed write the backup is pushed; a',
        'failed push is recorded in pond log and never undoes the commit.',
      ].join('\n'),
    );
  storeOptions(backup.command('add').description('record a backup and claim it for this pond'))
    .argument('<name>')
    .argument('<url>')
    .action(async (name: string, url: string, flags: StoreFlags) => {
      await (await ctx.open()).addBackup(name, url, stored(flags));
      ctx.err(`backup ${name} added: ${url} (pushed after every commit; pond push ${name} now)\n`);
    });
  backup
    .command('list')
    .description('list backups: name, URL, mode, mount')
    .addOption(metadataFormatOption())
    .action(async (opts: { format: MetadataFormat }) => {
      const remotes = (await (await ctx.open()).remotes()).filter((r) => r.mode === 'push');
      await writeAll(ctx.io.stdout, listLines(remotes, opts.format));
    });
  backup
    .command('remove')
    .description('forget a backup (what it holds stays where it is)')
    .argument('<name>')
    .action(async (name: string) => {
      await (await ctx.open()).removeRemote(name);
    });

  const remote = program
    .command('remote')
    .description(
      [
        'remotes: other ponds this pond pulls, optionally mounted read-only',
        '',
        'pond remote add NAME URL MOUNT, then pond pull NAME: the other pond appears at',
        'MOUNT (a pond-import node): list, cat, sql and factories read it; writes are',
        'refused. A later pull brings only what changed.',
      ].join('\n'),
    );
  storeOptions(remote.command('add').description("record a remote (another pond's backup)"))
    .argument('<name>')
    .argument('<url>')
    .argument('[mount]', 'pond path where its tree appears (read-only)')
    .action(async (name: string, url: string, mount: string | undefined, flags: StoreFlags) => {
      if (mount === '/') {
        throw new PondError(
          ErrorCode.INVALID_ARGUMENT,
          'a remote mounted at / would replace this pond; to copy a backup into a new pond use pond restore URL',
        );
      }
      await (await ctx.open()).addRemote(name, url, {
        ...(mount ? { mount } : {}),
        options: stored(flags),
      });
      ctx.err(`remote ${name} added and pulled: ${url}${mount ? ` at ${mount}` : ''}\n`);
    });
  remote
    .command('list')
    .description('list every backup and remote: name, URL, mode (push or pull), mount')
    .addOption(metadataFormatOption())
    .action(async (opts: { format: MetadataFormat }) => {
      await writeAll(ctx.io.stdout, listLines(await (await ctx.open()).remotes(), opts.format));
    });
  remote
    .command('remove')
    .description('forget a remote and drop its local replica (its mount node stays: pond rm it)')
    .argument('<name>')
    .action(async (name: string) => {
      await (await ctx.open()).removeRemote(name);
    });

  program
    .command('push')
    .description(
      'push to a backup (default: every backup): only contents it lacks, then a record of the change',
    )
    .argument('[name]')
    .action(async (name: string | undefined) => {
      const pond = await ctx.open();
      const results = await pond.push(name, ctx.writeOptions());
      if (results.length === 0) ctx.err('no backups (pond backup add NAME URL)\n');
      for (const r of results) {
        ctx.out(
          r.upToDate
            ? `${r.remote}: up to date at transaction ${r.seq}\n`
            : `${r.remote}: pushed transaction ${r.seq}: ${r.files} files changed, ${r.removed} removed, ${r.objects} objects (${bytes(r.bytes)}) sent\n`,
        );
      }
    });

  program
    .command('pull')
    .description('pull a remote (default: every remote) into its local replica')
    .argument('[name]')
    .action(async (name: string | undefined) => {
      const results = await (await ctx.open()).pull(name);
      if (results.length === 0) ctx.err('no remotes (pond remote add NAME URL MOUNT)\n');
      for (const r of results) {
        ctx.out(
          `pulled pond ${r.pondId} up to transaction ${r.seq}: ${r.files} files (${bytes(r.bytes)}) fetched, ${r.removed} removed\n`,
        );
      }
    });

  storeOptions(
    program
      .command('restore')
      .description(
        [
          'build a new pond at $POND (missing or empty) from a backup',
          '',
          'The same pond id, files, versions, dynamic nodes and log as the pond that pushed',
          'it (the same pond fsck root checksum). Every content is checked against its',
          'BLAKE3; a corrupt backup is refused and nothing is left. With NAME the new pond',
          'keeps pushing to the backup as NAME.',
        ].join('\n'),
      ),
  )
    .argument('<name-or-url>', 'the backup URL, or a name for it followed by the URL')
    .argument('[url]')
    .action(async (first: string, second: string | undefined, flags: StoreFlags) => {
      const [name, url] = second === undefined ? [undefined, first] : [first, second];
      const { Pond } = await import('../../pond.js');
      const path = ctx.pondPath();
      await Pond.restore(url, path, {
        ...(await ctx.environment()),
        options: stored(flags),
        ...(name ? { name } : {}),
      });
      ctx.err(`restored ${url} into ${path}\n`);
    });

  program
    .command('verify')
    .description(
      [
        'compare a remote (default: every one) with this pond, and check its objects',
        '',
        'Every object the remote tip names is downloaded and re-hashed (--quick: sizes',
        'only). Prints one line per remote; exits OUT_OF_SYNC (status 5) when a side is',
        'behind or they differ, CORRUPT (6) when an object is missing or corrupt.',
      ].join('\n'),
    )
    .argument('[name]')
    .option('--quick', 'check object sizes only, not their hashes')
    .addOption(metadataFormatOption())
    .action(async (name: string | undefined, opts: { quick?: boolean; format: MetadataFormat }) => {
      const reports = await (await ctx.open()).verify(name, { quick: opts.quick ?? false });
      await writeAll(
        ctx.io.stdout,
        reports.map((r) =>
          opts.format === 'json'
            ? jsonLine(r)
            : `[${r.status === 'up to date' ? 'OK' : 'MISMATCH'}] ${r.summary}\n`,
        ),
      );
      const corrupt = reports.find((r) => r.status === 'corrupt');
      if (corrupt) throw new PondError(ErrorCode.CORRUPT, corrupt.summary);
      const off = reports.find((r) => r.status !== 'up to date');
      if (off) throw new PondError(ErrorCode.OUT_OF_SYNC, off.summary);
    });
}

// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, PondError } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description(
      [
        'apply declarative changes from multi-document YAML files, in one transaction',
        '',
        'each document: {version: v1, kind: mkdir|copy|mknod|rm, metadata: {path},',
        'spec}:',
        '  mkdir: spec {}',
        '  copy: spec {source: host URL of a file or a directory (copied recursively),',
        '    overwrite?, time_column?}; ${env:VAR} in it is expanded',
        '  mknod: spec {factory, config (a mapping or YAML text)}',
        '  rm: spec {recursive?}',
        'every document is checked before anything is written. Documents apply in',
        'dependency order, whatever order the files list them: rm, then mkdir, copy',
        'and mknod, parents before children (missing parents are created), mknod',
        'documents in file order. Prints created/updated/removed/unchanged per',
        'document and a summary; when nothing changes, nothing is committed.',
      ].join('\n'),
    )
    .requiredOption('-f, --file <files...>', 'YAML files')
    .option('--no-check', 'store mknod documents without planning their queries (see mknod)')
    .action(async (opts: { file: string[]; check?: boolean }) => {
      const { planApply, checkApply, runApply } = await import('../../apply.js');
      const files = await Promise.all(
        opts.file.map(async (name) => {
          const path = resolve(ctx.io.cwd, name);
          const text = await readFile(path, 'utf8').catch(() => {
            throw new PondError(ErrorCode.NOT_FOUND, `${path}: no such file`, { path });
          });
          return { name, text };
        }),
      );
      const docs = planApply(files, ctx.io.env);
      const options = {
        registry: await ctx.registry(),
        env: ctx.io.env,
        hostRoot: ctx.hostRoot(),
        check: opts.check ?? true,
      };
      const checked = await checkApply(docs, options);
      const result = await ctx.write((root) => runApply(root, checked, options));
      const counts = { created: 0, updated: 0, removed: 0, unchanged: 0 };
      for (const { path, outcome } of result.value) {
        counts[outcome]++;
        ctx.out(`${outcome} ${path}\n`);
      }
      const removed = counts.removed > 0 ? `, ${counts.removed} removed` : '';
      ctx.out(
        `${counts.created} created, ${counts.updated} updated${removed}, ${counts.unchanged} unchanged\n`,
      );
    });
}

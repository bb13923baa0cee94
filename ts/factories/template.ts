// SPDX-License-Identifier: Apache-2.0
/**
 * `template` (seeds): a directory of rendered text files. With captures in `out_pattern`
 * (`$0`, `$1`...), one file per `in_pattern` match; with a literal `out_pattern`, one file
 * for all matches. `template_file` is a pond file in Jinja syntax, rendered by the addon's
 * sandboxed engine (a template may come from anyone: it cannot run code or reach the host)
 * with `captures` (this match's wildcards), `match` ({path, name, captures}) and `matches`
 * (every match). `in_pattern` is a pond glob or a URL naming stored files
 * (`series:///reduced/*.series`: only the names matter), `template_file` a pond path or
 * `file:///` URL, as the original writes them.
 */

import { ErrorCode, PondError } from '../errors.js';
import { renderTemplate } from '../native/template.js';
import { EntryType } from '../tinyfs/entry-type.js';
import { captureNameProblem, substituteCaptures } from '../tinyfs/glob.js';
import type { Node } from '../tinyfs/node.js';
import { readContent } from '../tinyfs/node.js';
import { childRef } from '../tinyfs/node-id.js';
import { checkName } from '../tinyfs/path.js';
import { collect } from '../tinyfs/persistence.js';
import { ConfigError, obj, str } from './config.js';
import { ComputedDirectory, computedFile } from './dynamic.js';
import { NAMED_FILES, ONE_FILE, pattern, patternOf, pondMatches } from './patterns.js';
import { defineFactory } from './registry.js';

const config = obj({
  in_pattern: pattern(NAMED_FILES),
  out_pattern: str,
  template_file: pattern(ONE_FILE),
});

interface Match {
  readonly path: string;
  readonly name: string;
  readonly captures: readonly string[];
}

function render(template: string, context: object, where: string): Uint8Array {
  try {
    return new TextEncoder().encode(renderTemplate(template, context));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new PondError(ErrorCode.INVALID_CONFIG, `${where}: template error: ${message}`, {
      path: where,
      cause: err,
    });
  }
}

export const template = defineFactory({
  name: 'template',
  description:
    'text files rendered from a Jinja-style template, one per in_pattern match or one in all',
  config,
  check(c) {
    if (c.out_pattern.includes('/')) throw new ConfigError('out_pattern: a file name, not a path');
    const problem = captureNameProblem(patternOf(c.in_pattern).glob, c.out_pattern);
    if (problem) throw new ConfigError(`out_pattern: ${problem}`);
  },
  async open(c, ctx) {
    return new ComputedDirectory(ctx.path, async () => {
      const tpl = await ctx.root.file(patternOf(c.template_file).glob);
      const text = new TextDecoder().decode(await collect(readContent(tpl.node)));
      // Rendered files take the template's version and time; their size is unknown until read.
      const versions = (await tpl.node.file.versions())
        .slice(-1)
        .map((v) => ({ ...v, size: null }));
      const matches: Match[] = [];
      for await (const { np, captures } of pondMatches(patternOf(c.in_pattern), ctx.root)) {
        matches.push({
          path: np.path,
          name: np.path.slice(np.path.lastIndexOf('/') + 1),
          captures,
        });
      }
      const perMatch = /\$\d/.test(c.out_pattern);
      const outputs: Array<[string, object]> = perMatch
        ? matches.map((m) => [
            substituteCaptures(c.out_pattern, m.captures),
            { captures: m.captures, match: m, matches },
          ])
        : [[c.out_pattern, { captures: [], matches }]];
      const seen = new Set<string>();
      return outputs.map(([name, context]): [string, Node] => {
        checkName(name);
        if (seen.has(name)) {
          throw new PondError(
            ErrorCode.INVALID_CONFIG,
            `${ctx.path}: two matches render to ${JSON.stringify(name)}`,
          );
        }
        seen.add(name);
        const ref = childRef(ctx.ref, EntryType.FileDynamic, name);
        const where = `${ctx.path}/${name}`;
        return [
          name,
          computedFile(ref, where, versions, async function* () {
            yield render(text, context, where);
          }),
        ];
      });
    });
  },
});

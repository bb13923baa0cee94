// SPDX-License-Identifier: Apache-2.0
/**
 * Golden transcripts: each `test/golden/*.txt` is a command sequence with its expected
 * output, run in-process against a fresh temp pond with an injected clock. The output is
 * normalised (ids numbered by first appearance, temp paths named) and compared whole.
 * `POND_UPDATE_GOLDEN=1 npx vitest run test/cli/golden.test.ts` rewrites the files from
 * what the commands print now: review the diff before committing it.
 *
 * Transcript syntax, one item per line:
 *   `# text`         a comment, kept as written
 *   `@file NAME`     a host file `HOST/NAME` holding the lines up to `@end`
 *   `$ pond ARGS`    a command (ARGS split as a shell would: quotes, no expansion);
 *                    `HOST` in an argument is the host directory
 *   other lines      the previous command's output: stdout as is, stderr lines prefixed
 *                    `! `, and `[exit N]` when the status is not 0
 */

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { run } from '../../ts/cli/main.js';
import { REPO, tempDir } from '../helpers.js';

const GOLDEN = join(REPO, 'test', 'golden');
const UPDATE = process.env.POND_UPDATE_GOLDEN === '1';
/** The injected clock: 2026-01-01T00:00:00Z, one second later on every reading. */
const EPOCH = Date.UTC(2026, 0, 1);

type Item =
  | { kind: 'comment'; text: string }
  | { kind: 'file'; name: string; lines: string[] }
  | { kind: 'command'; line: string; args: string[]; expected: string[] };

/** Split a command line as a shell would (single and double quotes, backslash escapes). */
function shellSplit(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length)
        word = `${word ?? ''}${line[++i]}`;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  if (word !== null) out.push(word);
  return out;
}

function parse(text: string): Item[] {
  const items: Item[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const last = items[items.length - 1];
    if (line.startsWith('$ pond ')) {
      const args = shellSplit(line.slice('$ pond '.length));
      items.push({ kind: 'command', line, args, expected: [] });
    } else if (line.startsWith('@file ')) {
      const file: Item = { kind: 'file', name: line.slice('@file '.length), lines: [] };
      while (++i < lines.length && lines[i] !== '@end') file.lines.push(lines[i] as string);
      items.push(file);
    } else if (last?.kind === 'command') {
      last.expected.push(line);
    } else if (line.startsWith('#') || line === '') {
      items.push({ kind: 'comment', text: line });
    } else {
      throw new Error(`golden line ${i + 1}: expected #, @file or $ pond, got: ${line}`);
    }
  }
  return items;
}

/** Names for what differs between runs and machines: temp paths, ids, the user and host
 * that created the pond, the bytes Parquet compression happens to take. */
class Normaliser {
  private readonly ids = new Map<string, string>();
  private readonly shorts = new Map<string, string>();

  constructor(private readonly paths: ReadonlyArray<readonly [string, string]>) {}

  apply(text: string): string {
    let out = text;
    for (const [path, name] of this.paths) out = out.split(path).join(name);
    out = out.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, (id) =>
      this.name(id),
    );
    // `list` shortens ids to their last 12 hex digits, in brackets.
    out = out.replace(
      /\[([0-9a-f]{12})\]@\[([0-9a-f]{12})\]/g,
      (_, node: string, pond: string) => `[${this.short(node)}]@[${this.short(pond)}]`,
    );
    out = out.split(`by ${userInfo().username}@${hostname()}`).join('by <USER>@<HOST>');
    // Sizes of stored Parquet vary by a few bytes with the random ids inside them.
    return out.replace(/^(Data: version \d+, \d+ files?), .*$/gm, '$1, <SIZE>');
  }

  private name(id: string): string {
    let name = this.ids.get(id);
    if (!name) {
      name = `<ID${this.ids.size + 1}>`;
      this.ids.set(id, name);
    }
    return name;
  }

  /** The name of the full id `suffix` ends, or else its own (`<S1>`, `<S2>`...). */
  private short(suffix: string): string {
    for (const [id, name] of this.ids) if (id.replace(/-/g, '').endsWith(suffix)) return name;
    let name = this.shorts.get(suffix);
    if (!name) {
      name = `<S${this.shorts.size + 1}>`;
      this.shorts.set(suffix, name);
    }
    return name;
  }
}

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function transcript(items: Item[]): Promise<string> {
  const dir = await tempDir('pond-golden-');
  const pond = join(dir, 'pond');
  const host = join(dir, 'host');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(host);
  const normaliser = new Normaliser([
    [pond, '<POND>'],
    [host, 'HOST'],
    [dir, '<TMP>'],
  ]);
  let tick = 0;
  const clock = () => EPOCH + 1000 * tick++;
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === 'comment') {
      out.push(item.text);
      continue;
    }
    if (item.kind === 'file') {
      await writeFile(join(host, item.name), `${item.lines.join('\n')}\n`);
      out.push(`@file ${item.name}`, ...item.lines, '@end');
      continue;
    }
    const stdout = collector();
    const stderr = collector();
    const env = { PATH: process.env.PATH, POND: pond, TZ: 'UTC' };
    const args = item.args.map((a) => a.split('HOST').join(host));
    const code = await run(args, {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env,
      cwd: dir,
      clock,
    });
    out.push(item.line);
    const printed = normaliser.apply(stdout.text()).replace(/\n$/, '');
    if (printed !== '') out.push(printed);
    const warned = normaliser.apply(stderr.text()).replace(/\n$/, '');
    if (warned !== '') out.push(...warned.split('\n').map((l) => `! ${l}`));
    if (code !== 0) out.push(`[exit ${code}]`);
  }
  return `${out.join('\n')}\n`;
}

const files = (await readdir(GOLDEN)).filter((f) => f.endsWith('.txt')).sort();

describe('golden transcripts', () => {
  test('there are transcripts to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    test(file, async () => {
      const path = join(GOLDEN, file);
      const expected = await readFile(path, 'utf8');
      const actual = await transcript(parse(expected));
      if (UPDATE) await writeFile(path, actual);
      else expect(actual).toBe(expected);
    });
  }
});

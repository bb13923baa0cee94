// SPDX-License-Identifier: Apache-2.0
/**
 * Templates come with ponds and configs from elsewhere, so rendering one must never run
 * code or touch the host: the known escapes of JavaScript template engines render as text
 * or fail with INVALID_CONFIG, and no host file is read or written.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pond, PondError } from '../../ts/index.js';
import { tempDir } from '../helpers.js';

const ESCAPES = [
  '{{ range.constructor(\'return process.mainModule.require("fs").readFileSync("/etc/hostname", "utf8")\')() }}',
  "{{ captures.constructor.constructor('return process.env')() }}",
  '{{ cycler.__init__.__globals__ }}',
  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
  '{{ matches.constructor.prototype }}',
  '{% set x = joiner.constructor(\'require("fs").writeFileSync("MARKER", "pwned")\') %}{{ x() }}',
  "{{ lipsum.__globals__['os'].popen('id').read() }}",
  "{% include '/etc/hostname' %}",
  "{% import '/etc/passwd' as p %}",
  '{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}',
  '{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}',
];

describe('template sandbox', () => {
  it('renders the known escapes as text or fails with INVALID_CONFIG, touching nothing', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'pwned.txt');
    const hostname = existsSync('/etc/hostname')
      ? (await readFile('/etc/hostname', 'utf8')).trim()
      : 'no-hostname-file';
    const pond = await Pond.create(join(dir, 'p'));
    for (const [i, text] of ESCAPES.entries()) {
      const tpl = text.replace('MARKER', marker);
      await pond.transaction(async (tx) => {
        await tx.mkdir(`/t${i}`);
        await tx.write(`/t${i}/tpl.j2`, tpl);
        await tx.write(`/t${i}/in.txt`, 'x');
        await tx.mknod(
          `/t${i}/out`,
          'template',
          `in_pattern: /t${i}/*.txt\nout_pattern: out.txt\ntemplate_file: /t${i}/tpl.j2\n`,
        );
      });
      let rendered = '';
      try {
        rendered = new TextDecoder().decode(await pond.read(`/t${i}/out/out.txt`));
      } catch (err) {
        expect(err, text).toBeInstanceOf(PondError);
        expect((err as PondError).code, text).toBe('INVALID_CONFIG');
      }
      if (hostname.length > 3) expect(rendered, text).not.toContain(hostname);
      expect(rendered, text).not.toMatch(/function|\[native code\]|uid=/);
      expect(existsSync(marker), text).toBe(false);
    }
  });
});

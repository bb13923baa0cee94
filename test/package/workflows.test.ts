// SPDX-License-Identifier: Apache-2.0
/**
 * The GitHub workflows are checked here, since they only run on GitHub: against the
 * workflow JSON schema (check-jsonschema's vendored copy of SchemaStore's), and for what a
 * schema cannot see: `needs` that name jobs, `matrix.*` and `env.*` references that are
 * defined, a release matrix that builds exactly the napi targets, each with an npm/ folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../helpers.js';

const WORKFLOWS = ['ci.yml', 'release.yml'].map((name) => join(REPO, '.github', 'workflows', name));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  strategy?: { matrix?: { include?: Record<string, unknown>[] } };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** What the schema cannot check, as one message per problem. */
function workflowProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const jobs = Object.keys(workflow.jobs);
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const needs = job.needs === undefined ? [] : [job.needs].flat();
    for (const need of needs) {
      if (!jobs.includes(need)) problems.push(`${name}: needs unknown job ${need}`);
    }
    const text = JSON.stringify(job);
    const include = job.strategy?.matrix?.include ?? [];
    for (const [, key] of text.matchAll(/matrix\.([\w-]+)/g)) {
      if (include.length === 0 || include.some((entry) => !(key! in entry))) {
        problems.push(`${name}: matrix.${key} is not defined by every matrix entry`);
      }
    }
    const env = { ...workflow.env, ...job.env };
    for (const [, key] of text.matchAll(/\benv\.([A-Z_][A-Z0-9_]*)/g)) {
      if (!(key! in env)) problems.push(`${name}: env.${key} is not defined`);
    }
    for (const step of job.steps) {
      if (step.uses && !/^[\w.-]+\/[\w.-]+@[\w.-]+$/.test(step.uses)) {
        problems.push(`${name}: ${step.uses} is not owner/action@version`);
      }
    }
  }
  return problems;
}

function load(path: string): Workflow {
  return parse(readFileSync(path, 'utf8')) as Workflow;
}

describe('GitHub workflows', () => {
  let checker = '';
  beforeAll(() => {
    const python = execFileSync('bash', [join(REPO, 'scripts', 'python-tools.sh')], {
      encoding: 'utf8',
    }).trim();
    checker = join(python, '..', 'check-jsonschema');
  }, 600_000);

  it('match the GitHub workflow schema', () => {
    const output = execFileSync(
      checker,
      ['--builtin-schema', 'vendor.github-workflows', ...WORKFLOWS],
      { encoding: 'utf8' },
    );
    expect(output).toContain('ok -- validation done');
  });

  it('refer only to jobs, matrix keys and env variables they define', () => {
    for (const path of WORKFLOWS) expect(workflowProblems(load(path))).toEqual([]);
  });

  it('the checks catch a broken workflow', () => {
    const broken = load(WORKFLOWS[1]!);
    broken.jobs.pack!.needs = 'compile';
    broken.jobs.build!.steps.push({ run: 'echo ${{ matrix.arch }} ${{ env.NOPE }}' });
    expect(workflowProblems(broken)).toEqual([
      'build: matrix.arch is not defined by every matrix entry',
      'build: env.NOPE is not defined',
      'pack: needs unknown job compile',
    ]);
  });

  it('release builds exactly the napi targets, each with a platform package folder', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const include = load(WORKFLOWS[1]!).jobs.build!.strategy!.matrix!.include!;
    expect(include.map((entry) => entry.target).sort()).toEqual([...pkg.napi.targets].sort());
    for (const dir of [
      'linux-x64-gnu',
      'linux-arm64-gnu',
      'darwin-x64',
      'darwin-arm64',
      'win32-x64-msvc',
    ]) {
      const template = join(REPO, 'npm', dir, 'package.json');
      expect(existsSync(template), dir).toBe(true);
      const platform = JSON.parse(readFileSync(template, 'utf8'));
      expect(platform.name).toBe(`duckpond-${dir}`);
      expect(platform.version).toBe(pkg.version);
      expect(platform.files).toEqual([`duckpond.${dir}.node`]);
    }
  });
});

// SPDX-License-Identifier: Apache-2.0
// The TypeScript modules form a layered graph: no module depends on itself through others.
// Every kind of relative import counts (static, `import type`, re-exports, dynamic
// `import()`), since each is a dependency a reader has to follow.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers.js';

const SOURCE = join(REPO, 'ts');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

/** Each module (relative to ts/) and the modules it imports. */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.ts'),
  );
  for (const file of files) {
    const text = readFileSync(join(SOURCE, file), 'utf8');
    const deps = [...text.matchAll(IMPORT)].map((m) => {
      const spec = (m[1] ?? m[2]) as string;
      return relative(SOURCE, resolve(dirname(join(SOURCE, file)), spec.replace(/\.js$/, '.ts')));
    });
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('module structure', () => {
  it('finds the imports it checks', () => {
    const graph = moduleGraph();
    expect(graph.get('pond.ts')).toContain('steward/steward.ts');
    expect(graph.get('cli/context.ts')).toContain('cli/host.ts');
    // A planted cycle is found, so an empty result means something.
    const planted = new Map(graph);
    planted.set('errors.ts', [...(graph.get('errors.ts') ?? []), 'pond.ts']);
    expect(cycles(planted).some((c) => c.includes('errors.ts') && c.includes('pond.ts'))).toBe(
      true,
    );
  });

  it('has no import cycle between modules', () => {
    expect(cycles(moduleGraph())).toEqual([]);
  });
});

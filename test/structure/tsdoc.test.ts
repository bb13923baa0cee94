// SPDX-License-Identifier: Apache-2.0
/**
 * Every public symbol (what `ts/index.ts` exports, and the public members of the classes
 * and interfaces among them) carries TSDoc, checked with the TypeScript compiler itself.
 */

import { join } from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { REPO } from '../helpers.js';

function undocumented(): string[] {
  const entry = join(REPO, 'ts', 'index.ts');
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error('ts/index.ts not found');
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error('ts/index.ts is not a module');
  const missing: string[] = [];
  const documented = (symbol: ts.Symbol) => symbol.getDocumentationComment(checker).length > 0;
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!documented(symbol)) missing.push(exported.name);
    if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
    for (const member of symbol.members?.values() ?? []) {
      const decl = member.declarations?.[0];
      if (!decl || member.name === '__constructor' || member.name.startsWith('#')) continue;
      if (member.flags & ts.SymbolFlags.TypeParameter) continue;
      const modifiers = ts.getCombinedModifierFlags(decl);
      if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (ts.getJSDocTags(decl).some((tag) => tag.tagName.text === 'internal')) continue;
      if (!documented(member)) missing.push(`${exported.name}.${member.name}`);
    }
    for (const member of symbol.exports?.values() ?? []) {
      if (member.flags & ts.SymbolFlags.Prototype) continue;
      const decl = member.declarations?.[0];
      if (!decl || ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private) continue;
      if (!documented(member)) missing.push(`${exported.name}.${member.name}`);
    }
  }
  return missing.sort();
}

test('every public symbol has TSDoc', () => {
  expect(undocumented()).toEqual([]);
}, 120_000);

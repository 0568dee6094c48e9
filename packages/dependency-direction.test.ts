/**
 * Architecture guard: packages may only depend downwards.
 *   core ← auth, storage, realtime ← api ← app ← apps/*
 * auth, storage and realtime never import each other. Checked in package.json dependencies and in
 * every import/export/dynamic import statement under src/, test/ and bench/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const lower = ['core', 'auth', 'storage', 'realtime', 'api', 'app'];

/** Which workspace packages each unit may import. */
const allowed: Record<string, readonly string[]> = {
  'packages/core': [],
  'packages/auth': ['core'],
  'packages/storage': ['core'],
  'packages/realtime': ['core'],
  'packages/api': ['core', 'auth', 'storage', 'realtime'],
  'packages/app': ['core', 'auth', 'storage', 'realtime', 'api'],
  'apps/server': lower,
  'apps/migrate': lower,
  'apps/federation-keygen': lower,
};

const specifier =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name === 'coverage') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Workspace package a specifier points at, following relative paths out of the unit too. */
function targetOf(spec: string, file: string): string | undefined {
  const scoped = /^@less-sync\/([a-z-]+)/.exec(spec);
  if (scoped) return scoped[1];
  if (!spec.startsWith('.')) return undefined;
  const resolved = relative(repo, join(file, '..', spec))
    .split('\\')
    .join('/');
  const m = /^(packages|apps)\/([a-z-]+)/.exec(resolved);
  return m ? (m[1] === 'apps' ? `apps/${m[2]}` : m[2]) : '(outside any package)';
}

function violations(unit: string): string[] {
  const ok = new Set(allowed[unit]);
  const self = unit.startsWith('packages/') ? unit.slice('packages/'.length) : unit;
  const found: string[] = [];
  const manifest = JSON.parse(readFileSync(join(repo, unit, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      const m = /^@less-sync\/([a-z-]+)$/.exec(dep);
      if (m?.[1] && !ok.has(m[1])) found.push(`${unit}/package.json ${field}: ${dep}`);
    }
  }
  for (const dir of ['src', 'test', 'bench']) {
    for (const file of sourceFiles(join(repo, unit, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(specifier)) {
        const spec = match[1] ?? match[2] ?? match[3] ?? '';
        const target = targetOf(spec, file);
        if (target === undefined || target === self || ok.has(target)) continue;
        found.push(`${relative(repo, file)} imports ${spec}`);
      }
    }
  }
  return found;
}

describe('dependency direction (DEVELOPERS.md shape)', () => {
  it('knows every package and app in the workspace', () => {
    const units = ['packages', 'apps'].flatMap((top) =>
      readdirSync(join(repo, top))
        .filter((name) => statSync(join(repo, top, name)).isDirectory())
        .map((name) => `${top}/${name}`),
    );
    expect(units.sort()).toEqual(Object.keys(allowed).sort());
  });

  for (const unit of Object.keys(allowed)) {
    it(`${unit} imports only what lies below it`, () => {
      expect(violations(unit)).toEqual([]);
    });
  }

  it('detects an upward import (guard against a check that cannot fail)', () => {
    const spec = "import { x } from '@less-sync/api';\nimport('../../storage/src/a.js');";
    const file = join(repo, 'packages/auth/src/probe.ts');
    const targets = [...spec.matchAll(specifier)].map((m) => targetOf(m[1] ?? m[2] ?? m[3] ?? '', file));
    expect(targets).toEqual(['api', 'storage']);
    expect(allowed['packages/auth']).not.toContain('api');
    expect(allowed['packages/auth']).not.toContain('storage');
  });
});

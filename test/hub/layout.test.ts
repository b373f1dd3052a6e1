/**
 * The hub's layout as issue 9 left it: no route file is used as a library, the visitor's checks
 * (src/hub/visitor/) depend on no resource folder, and the folders of src/hub depend on each other
 * without a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HUB = join(ROOT, 'src', 'hub');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const sources = files(join(ROOT, 'src'));
const text = new Map(sources.map((f) => [f, readFileSync(f, 'utf8')]));
/** Relative imports, value and type alike, resolved to .ts files. */
const importsOf = (file: string) =>
  [...text.get(file)!.matchAll(/^(?:import|export)\b[^;]*?from '(\.[^']+)\.js';/gms)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
/** A file of a hub folder that registers routes on a Fastify instance (app.ts, which assembles them, aside). */
const isRouteFile = (file: string) => folderOf(file) !== null && /\b(app|admin)\.(get|post|patch|put|delete)\(/.test(text.get(file)!);
/** `visitor` for src/hub/visitor/session.ts; null for a file at the root of src/hub. */
const folderOf = (file: string) => {
  const rel = relative(HUB, file).split('/');
  return rel.length > 1 && !rel[0]!.startsWith('..') ? rel[0]! : null;
};

describe('hub layout', () => {
  it('imports no route file except from app.ts', () => {
    const routeFiles = sources.filter(isRouteFile);
    expect(routeFiles.length).toBeGreaterThan(4);
    const offenders = sources.flatMap((f) => importsOf(f).filter((i) => routeFiles.includes(i) && f !== join(HUB, 'app.ts')).map((i) => `${relative(ROOT, f)} → ${relative(ROOT, i)}`));
    expect(offenders).toEqual([]);
  });

  it('keeps the visitor checks below every resource folder', () => {
    const allowed = new Set(['visitor', 'allowlist', 'db', 'keys', 'session']);
    const visitorFiles = sources.filter((f) => folderOf(f) === 'visitor');
    expect(visitorFiles.length).toBeGreaterThan(3);
    const offenders = visitorFiles.flatMap((f) => importsOf(f).filter((i) => folderOf(i) !== null && !allowed.has(folderOf(i)!)).map((i) => `${relative(ROOT, f)} → ${relative(ROOT, i)}`));
    expect(offenders).toEqual([]);
  });

  it('has no cycle between the folders of src/hub', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of sources) {
      const from = folderOf(f);
      if (!from) continue;
      for (const i of importsOf(f)) {
        const to = folderOf(i);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const walk = (node: string, path: string[]) => {
      if (path.includes(node)) return void cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      for (const next of edges.get(node) ?? []) walk(next, [...path, node]);
    };
    for (const node of edges.keys()) walk(node, []);
    expect(edges.size).toBeGreaterThan(5);
    expect(cycles).toEqual([]);
  });
});

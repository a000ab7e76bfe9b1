/**
 * Import boundaries of src/ (DESIGN.md §2: actions know nothing of the protocol, protocol code never
 * touches the store, the store knows no action). Every .ts file under src/ is parsed with the
 * TypeScript parser; static `import ... from`, `import type`, `export ... from`, `import x = require()`,
 * type-position `import('...')` and dynamic `import('...')` with a literal specifier all count (a
 * type-only import still ties a module to another's design). Bare package imports are not src/.
 *
 * A module is a directory of src/ (`store/`, `actions/`, ...) or a file directly in src/ (`errors.ts`).
 * Rules say "files in src/<a>/ must not import src/<b>/", or of single files: "no file outside store/
 * and the composition roots imports store/redis-*.ts or store/notifier.ts" (the rest of src/ sees the
 * store through its interfaces: store.ts, moves.ts, long-polls.ts, clock-control.ts). KNOWN_VIOLATIONS
 * lists the violating (file -> imported file) pairs as they are today: each must still exist, so a
 * fix that lands fails this test until its pair is removed from the list, and the list only shrinks.
 * KNOWN_CYCLES does the same for import cycles between modules.
 *
 * `PRINT_IMPORT_MATRIX=1 npx vitest run test/unit/boundaries.test.ts` prints which module imports which
 * (`(type)`: only type imports; files directly in src/ in brackets). Before issue 12 (a5a8912):
 *
 *   actions/        -> protocol/(type) sqs/ store/(type) [config(type) domain(type) errors log(type)]
 *   background/     -> sqs/ store/(type) [domain(type) log(type)]
 *   dev/            -> protocol/ sqs/ store/ [config(type) domain(type) errors log(type)]
 *   lambda/         -> actions/ [clock errors log]
 *   protocol/       -> actions/ store/(type) [config(type) dict errors log(type)]
 *   sqs/            -> store/(type) [dict domain(type) errors]
 *   store/          -> sqs/ [clock dict domain(type) log(type)]
 *   app             -> dev/ protocol/ store/(type) [config(type) errors log(type) version]
 *   client          -> store/(type)
 *   embedded-redis  -> [log(type) redis-leftover]
 *   index           -> lambda/ store/(type) [client clock(type) config embedded-redis log service testing version]
 *   lifecycle       -> [log(type)]
 *   log             -> [config(type)]
 *   main            -> [run]
 *   redis-leftover  -> [log(type)]
 *   run             -> lambda/ store/ [config embedded-redis lifecycle log service version worker workers]
 *   service         -> background/ protocol/ store/ [app clock config(type) log(type)]
 *   testing         -> lambda/ store/(type) [config embedded-redis log service]
 *   worker          -> [config(type) log service workers]
 *   workers         -> [config(type) log(type)]
 *
 * Violations then: actions/dispatch.ts -> protocol/model.ts; protocol/sqs-handler.ts -> store/notifier.ts,
 * store/redis-health.ts, store/redis-moves.ts, store/store.ts; sqs/received-message.ts -> store/store.ts.
 * Cycles then: actions/ <-> protocol/ (dispatch's ActionName; the handler runs the actions) and
 * sqs/ <-> store/ (received-message's StoredReceipt; the store uses sqs/ rules).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * "files `from` must not import files `to`, except files `except`". A pattern is a module (`store/`:
 * every file under src/store/), a file of src/ (`app.ts`, `store/redis-*.ts`: `*` stands for any
 * characters but `/`), or `*`: every file of src/.
 */
interface Rule {
  from: string;
  to: string;
  except?: readonly string[];
}

/** The files that build the store's concrete parts and hand them to the rest as interfaces. */
const COMPOSITION_ROOTS = ['service.ts', 'testing.ts', 'run.ts'];

const RULES: readonly Rule[] = [
  { from: 'protocol/', to: 'store/' },
  { from: 'protocol/', to: 'background/' },
  { from: 'sqs/', to: 'store/' },
  { from: 'sqs/', to: 'actions/' },
  { from: 'sqs/', to: 'protocol/' },
  { from: 'store/', to: 'actions/' },
  { from: 'store/', to: 'protocol/' },
  { from: 'actions/', to: 'protocol/' },
  // The concrete store: actions, background work, dev routes see the interfaces only.
  { from: '*', to: 'store/redis-*.ts', except: ['store/', ...COMPOSITION_ROOTS] },
  { from: '*', to: 'store/notifier.ts', except: ['store/', ...COMPOSITION_ROOTS] },
];

/** Whether a file (a path under src/) matches a rule's pattern. */
function matches(pattern: string, file: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/')) return file.startsWith(pattern);
  if (!pattern.includes('*')) return file === pattern;
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`).test(file);
}

const breaks = (rule: Rule, e: { from: string; to: string }): boolean =>
  matches(rule.from, e.from) &&
  matches(rule.to, e.to) &&
  !(rule.except ?? []).some((pattern) => matches(pattern, e.from));

const describeRule = (r: Rule): string => `${r.from} ↛ ${r.to}${r.except ? ` (except ${r.except.join(', ')})` : ''}`;

/** Today's violations of RULES, as `file -> imported file` (paths under src/). Only shrinks: none is left. */
const KNOWN_VIOLATIONS: readonly string[] = [];

/** Today's import cycles between modules (each a sorted, space-separated list). Only shrinks. */
const KNOWN_CYCLES: readonly string[] = [];

interface Import {
  /** The specifier as written. */
  specifier: string;
  typeOnly: boolean;
  line: number;
}

/** Every import of a TypeScript source, static, re-exported, type-position or dynamic. */
function importsOf(fileName: string, text: string): Import[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined, typeOnly: boolean): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push({ specifier: specifier.text, typeOnly, line: line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(node, arg.literal, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** All .ts files under a directory, as posix paths relative to it. */
function tsFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path, base);
    return entry.name.endsWith('.ts') ? [relative(base, path).split(sep).join('/')] : [];
  });
}

/** `store/` for a file in src/store/ (at any depth), `errors.ts` for src/errors.ts. */
function moduleOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : `${file.slice(0, slash)}/`;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  line: number;
}

/** The file-level import graph of src/ (relative imports only; `.js` specifiers name `.ts` files). */
function importGraph(): Edge[] {
  const files = new Set(tsFiles(SRC));
  const edges: Edge[] = [];
  for (const from of files) {
    for (const imp of importsOf(from, readFileSync(join(SRC, from), 'utf8'))) {
      if (!imp.specifier.startsWith('.')) continue;
      const target = posix.normalize(posix.join(dirname(from), imp.specifier)).replace(/\.js$/, '.ts');
      const to = files.has(target) ? target : files.has(`${target}.ts`) ? `${target}.ts` : undefined;
      if (!to) throw new Error(`src/${from}:${imp.line}: cannot resolve '${imp.specifier}'`);
      edges.push({ from, to, typeOnly: imp.typeOnly, line: imp.line });
    }
  }
  return edges;
}

/** Which module imports which: module -> imported module -> true when every such import is type-only. */
function moduleMatrix(edges: Edge[]): Map<string, Map<string, boolean>> {
  const matrix = new Map<string, Map<string, boolean>>();
  for (const e of edges) {
    const from = moduleOf(e.from);
    const to = moduleOf(e.to);
    if (from === to) continue;
    const row = matrix.get(from) ?? new Map<string, boolean>();
    row.set(to, (row.get(to) ?? true) && e.typeOnly);
    matrix.set(from, row);
  }
  return matrix;
}

function renderMatrix(matrix: Map<string, Map<string, boolean>>): string {
  const label = (m: string, typeOnly: boolean): string =>
    `${m.endsWith('/') ? m : m.replace(/\.ts$/, '')}${typeOnly ? '(type)' : ''}`;
  return [...matrix.keys()]
    .sort((a, b) => Number(b.endsWith('/')) - Number(a.endsWith('/')) || a.localeCompare(b))
    .map((from) => {
      const row = [...(matrix.get(from) ?? new Map<string, boolean>())].sort(([a], [b]) => a.localeCompare(b));
      const dirs = row.filter(([m]) => m.endsWith('/')).map(([m, t]) => label(m, t));
      const roots = row.filter(([m]) => !m.endsWith('/')).map(([m, t]) => label(m, t));
      return `${label(from, false).padEnd(15)} -> ${[...dirs, roots.length ? `[${roots.join(' ')}]` : ''].join(' ')}`.trimEnd();
    })
    .join('\n');
}

/** Strongly connected components of more than one module (Tarjan), each sorted. */
function cyclesOf(edges: ReadonlyArray<readonly [string, string]>): string[][] {
  const next = new Map<string, Set<string>>();
  for (const [from, to] of edges) {
    if (from === to) continue;
    next.set(from, (next.get(from) ?? new Set()).add(to));
    if (!next.has(to)) next.set(to, new Set());
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return components.sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
}

const violations = (edges: Edge[]): string[] =>
  [...new Set(edges.filter((e) => RULES.some((r) => breaks(r, e))).map((e) => `${e.from} -> ${e.to}`))].sort();

describe('the import parser', () => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b/b.js';",
    "import { type C, type D } from './cd.js';",
    "import { type E, f } from './ef.js';",
    'import {',
    '  g,',
    '  h,',
    "} from '../gh/gh.js';",
    "import './side-effect.js';",
    "import * as ns from 'node:fs';",
    "export { i } from './i.js';",
    "export * from './star.js';",
    "export type { J } from './j.js';",
    "type K = typeof import('./k.js');",
    "const lazy = () => import('./lazy.js');",
    'const computed = (p: string) => import(p);',
    "// import { no } from './comment.js';",
    'const s = "import { no } from \'./string.js\'";',
  ].join('\n');

  it('finds static, re-exported, type-position and dynamic imports, and nothing in comments or strings', () => {
    expect(importsOf('x.ts', text).map((i) => `${i.line} ${i.specifier}${i.typeOnly ? ' (type)' : ''}`)).toEqual([
      '1 ./a.js',
      '2 ../b/b.js (type)',
      '3 ./cd.js (type)',
      '4 ./ef.js',
      '5 ../gh/gh.js',
      '9 ./side-effect.js',
      '10 node:fs',
      '11 ./i.js',
      '12 ./star.js',
      '13 ./j.js (type)',
      '14 ./k.js (type)',
      '15 ./lazy.js',
    ]);
  });

  it('names modules by directory of src/, or by file for files directly in src/', () => {
    expect(moduleOf('store/lua/x.ts')).toBe('store/');
    expect(moduleOf('actions/send-message.ts')).toBe('actions/');
    expect(moduleOf('errors.ts')).toBe('errors.ts');
  });

  it('applies rules to modules, files and file patterns, with exceptions', () => {
    expect(['store/', 'store/redis-*.ts', 'app.ts', '*'].map((p) => matches(p, 'store/redis-store.ts'))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(matches('store/redis-*.ts', 'store/scripts/redis-x.ts')).toBe(false);
    expect(matches('store/redis-*.ts', 'store/redis-store.js')).toBe(false);
    const rule: Rule = { from: '*', to: 'store/notifier.ts', except: ['store/', 'service.ts'] };
    const importers = ['actions/context.ts', 'store/redis-store.ts', 'service.ts', 'app.ts'];
    expect(importers.filter((from) => breaks(rule, { from, to: 'store/notifier.ts' }))).toEqual([
      'actions/context.ts',
      'app.ts',
    ]);
    expect(breaks(rule, { from: 'app.ts', to: 'store/store.ts' })).toBe(false);
  });

  it('finds cycles between modules', () => {
    expect(
      cyclesOf([
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
        ['c', 'd'],
        ['d', 'd'],
        ['e', 'f'],
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });
});

describe('import boundaries of src/', () => {
  const edges = importGraph();
  const matrix = moduleMatrix(edges);

  it('reads the whole of src/', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect([...matrix.keys()]).toEqual(expect.arrayContaining(['actions/', 'protocol/', 'sqs/', 'store/']));
    if (process.env.PRINT_IMPORT_MATRIX) console.log(`\n${renderMatrix(matrix)}\n`);
  });

  it('breaks no rule beyond the known violations', () => {
    const known = new Set(KNOWN_VIOLATIONS);
    const found = violations(edges);
    const fresh = found.filter((v) => !known.has(v));
    expect(fresh, `new imports across a boundary (${RULES.map(describeRule).join('; ')})`).toEqual([]);
  });

  it('lists only violations that still exist (remove fixed ones from KNOWN_VIOLATIONS)', () => {
    const found = new Set(violations(edges));
    expect(
      KNOWN_VIOLATIONS.filter((v) => !found.has(v)),
      'fixed: remove from KNOWN_VIOLATIONS',
    ).toEqual([]);
  });

  it('has no import cycles between modules beyond the known ones, and each known one still exists', () => {
    const found = cyclesOf(edges.map((e) => [moduleOf(e.from), moduleOf(e.to)] as const)).map((c) => c.join(' '));
    expect(found).toEqual([...KNOWN_CYCLES].sort());
  });
});

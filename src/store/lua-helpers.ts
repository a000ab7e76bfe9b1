/**
 * Redis Lua has no modules. The shared definitions of lua/lib/ are included in each script, only
 * those it uses (and those they use), compacted onto the script's first line: the script's own
 * lines keep their numbers, so a Redis error ("user_script:12") names the line of the .lua file.
 * An error on line 1 is in the included definitions (every script starts with a comment line).
 * Doing it when the scripts are loaded keeps dist/ a copy of lua/ (scripts/copy-assets.mjs).
 */

/** One top-level definition of lib/: `local function name(...)` or `local NAME = ...`. */
export interface LuaHelper {
  name: string;
  /** The definition, comments removed, on one line. */
  code: string;
  /** Names of the earlier definitions it uses. */
  uses: string[];
}

/** Splits Lua source into code and the strings and comments it holds. */
function* lex(source: string): Generator<{ kind: 'code' | 'string' | 'comment'; text: string }> {
  let i = 0;
  let code = '';
  const flush = function* () {
    if (code) yield { kind: 'code' as const, text: code };
    code = '';
  };
  while (i < source.length) {
    const c = source[i] as string;
    const long = /^\[(=*)\[/.exec(source.slice(i, i + 64));
    if (c === '-' && source[i + 1] === '-') {
      yield* flush();
      const open = /^\[(=*)\[/.exec(source.slice(i + 2, i + 66));
      const end = open ? source.indexOf(`]${open[1]}]`, i + 2) : source.indexOf('\n', i);
      if (open && end < 0) throw new Error('unterminated long comment');
      const stop = end < 0 ? source.length : open ? end + (open[1] as string).length + 2 : end;
      yield { kind: 'comment', text: source.slice(i, stop) };
      i = stop;
    } else if (long) {
      yield* flush();
      const end = source.indexOf(`]${long[1]}]`, i);
      if (end < 0) throw new Error('unterminated long string');
      const stop = end + (long[1] as string).length + 2;
      yield { kind: 'string', text: source.slice(i, stop) };
      i = stop;
    } else if (c === "'" || c === '"') {
      yield* flush();
      let j = i + 1;
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\n') throw new Error(`line break in a string: ${source.slice(i, j)}`);
        j += source[j] === '\\' ? 2 : 1;
      }
      if (j >= source.length) throw new Error(`unterminated string: ${source.slice(i, i + 40)}`);
      yield { kind: 'string', text: source.slice(i, j + 1) };
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  yield* flush();
}

/** The identifiers the code of `source` names (not those in its strings and comments). */
export function identifiers(source: string): Set<string> {
  const out = new Set<string>();
  for (const t of lex(source)) {
    if (t.kind !== 'code') continue;
    // `.name` and `:name` are fields and methods, not variables (`..name` is a concatenation).
    for (const m of t.text.matchAll(/(?<![\w:])(?<!(?:^|[^.])\.)[A-Za-z_]\w*/g)) out.add(m[0]);
  }
  return out;
}

/** The source on one line, without comments; strings are kept exactly as written. */
export function compact(source: string): string {
  let out = '';
  // Code and comments between two strings: their whitespace becomes one space.
  let between = '';
  for (const t of lex(source)) {
    if (t.kind === 'comment') between += ' ';
    else if (t.kind === 'string') {
      // A long string's line break would move every later line of the script.
      if (t.text.includes('\n')) throw new Error('a string with a line break cannot be put on one line');
      out += between.replace(/\s+/g, ' ') + t.text;
      between = '';
    } else {
      // On one line, `f\n(g)()` would become a call where Lua 5.1 refuses the ambiguity.
      if (/\n\s*\(/.test(t.text)) throw new Error('a line that starts with "(" cannot be joined to the one before');
      between += t.text;
    }
  }
  return (out + between.replace(/\s+/g, ' ')).replace(/^ +| +$/g, '');
}

const DEFINITION = /^local\s+(?:function\s+)?([A-Za-z_]\w*)\s*(?:=|\()/;

/** The definitions of the lib/ files (as one text), in their order. */
export function parseHelpers(lib: string): LuaHelper[] {
  const lines = lib.split('\n');
  const starts: { name: string; line: number }[] = [];
  lines.forEach((line, n) => {
    const m = DEFINITION.exec(line);
    if (m) starts.push({ name: m[1] as string, line: n });
    // Anything else at the top level would be glued to the definition before it, and go missing
    // from the scripts that do not use that one.
    else if (/^\S/.test(line) && !/^(end\b|[})\]]|--)/.test(line)) {
      throw new Error(`lib/: line ${n + 1} is neither a definition nor inside one: ${line}`);
    }
  });
  const first = starts[0]?.line ?? lines.length;
  if (compact(lines.slice(0, first).join('\n')) !== '') {
    throw new Error('lib/: only comments may come before the first definition');
  }
  const helpers: LuaHelper[] = [];
  starts.forEach((start, n) => {
    const source = lines.slice(start.line, starts[n + 1]?.line ?? lines.length).join('\n');
    const names = identifiers(source);
    const uses = helpers.map((h) => h.name).filter((name) => names.has(name));
    const later = starts.slice(n + 1).find((s) => names.has(s.name) && s.name !== start.name);
    if (later) throw new Error(`lib/: ${start.name} uses ${later.name}, which is defined after it`);
    helpers.push({ name: start.name, code: compact(source), uses });
  });
  return helpers;
}

/** The definitions `script` uses, with those they use, in lib/'s order. */
export function helpersFor(script: string, helpers: readonly LuaHelper[]): LuaHelper[] {
  const byName = new Map(helpers.map((h) => [h.name, h]));
  const wanted = new Set<string>();
  const want = (name: string): void => {
    const h = byName.get(name);
    if (!h || wanted.has(name)) return;
    wanted.add(name);
    for (const used of h.uses) want(used);
  };
  for (const name of identifiers(script)) want(name);
  return helpers.filter((h) => wanted.has(h.name));
}

/**
 * The script as Redis runs it: the definitions it uses on one line, followed on the same line by
 * the script's first line (a comment), so that line n of the file is line n of the script.
 */
export function compose(script: string, helpers: readonly LuaHelper[]): { source: string; included: string[] } {
  const included = helpersFor(script, helpers);
  if (included.length === 0) return { source: script, included: [] };
  if (!script.startsWith('--')) throw new Error('a script that uses lib/ definitions starts with a comment line');
  return { source: `${included.map((h) => h.code).join(' ')} ${script}`, included: included.map((h) => h.name) };
}

/**
 * The Lua scripts as the store loads them, without Redis: the status vocabulary of lua/lib/ against
 * its TS twin, and the lib/ definitions each script gets (only those it uses, on its first line).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compact, compose, helpersFor, identifiers, parseHelpers } from '../../src/store/lua-helpers.js';
import { S } from '../../src/store/scripts/status.js';
import { LIB_FILES, loadScripts, readLib, SCRIPT_NAMES } from '../../src/store/scripts.js';

const LUA = new URL('../../src/store/lua/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, LUA), 'utf8');
const lib = readLib();
const scriptFiles = readdirSync(LUA).filter((f) => f.endsWith('.lua'));
const libFiles = readdirSync(new URL('lib/', LUA)).filter((f) => f.endsWith('.lua'));

/** `local S = { NAME = code, ... }` of lib/status.lua, read as text. */
function luaVocabulary(): Record<string, number> {
  const table = /^local S = \{\n([\s\S]*?)\n\}/m.exec(read('lib/status.lua'))?.[1];
  if (!table) throw new Error('lib/status.lua has no `local S = {` table');
  const out: Record<string, number> = {};
  for (const line of table.split('\n')) {
    const m = /^\s*([A-Z_]+) = (\d+),/.exec(line);
    if (!m) throw new Error(`unexpected line in S: ${line}`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

describe('the status vocabulary', () => {
  it('is the same table in Lua and in TypeScript', () => {
    expect(luaVocabulary()).toEqual({ ...S });
  });

  it('gives every status its own code', () => {
    const codes = Object.values(S);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has every status a script names', () => {
    for (const file of [...libFiles.map((f) => `lib/${f}`), ...scriptFiles]) {
      for (const m of read(file).matchAll(/\bS\.([A-Z_]+)/g)) {
        expect(Object.keys(S), `${file}: S.${m[1]}`).toContain(m[1]);
      }
    }
  });

  it('starts every reply: no script returns a bare number any more', () => {
    for (const file of scriptFiles) {
      const code = compact(read(file));
      // Top-level and nested returns alike: a table (starting with a status), a helper's reply, or
      // a variable holding such a table.
      for (const m of code.matchAll(/\breturn\s+(-?\d+|''|'[^']*')(?=\s|$)/g)) {
        throw new Error(`${file} returns ${m[1]}`);
      }
    }
  });
});

describe('lib/ definitions included per script', () => {
  const helpers = parseHelpers(lib);
  const names = helpers.map((h) => h.name);

  it('reads every file of lib/, and lists their definitions in order, each using only earlier ones', () => {
    expect([...LIB_FILES].sort()).toEqual(libFiles.map((f) => f.replace(/\.lua$/, '')).sort());
    expect(names[0]).toBe('S');
    expect(names).toContain('queue_keys');
    helpers.forEach((h, i) => {
      for (const used of h.uses) expect(names.indexOf(used)).toBeLessThan(i);
    });
  });

  it('loads every script of lua/ and nothing else', () => {
    expect([...SCRIPT_NAMES].sort()).toEqual(scriptFiles.map((f) => f.replace(/\.lua$/, '')).sort());
  });

  it('gives each script only what it uses, and what that uses', () => {
    const loaded = loadScripts();
    expect(loaded.lease.included).toEqual(['S']);
    expect(loaded.clock.included).toEqual(['S']);
    expect(loaded['create-queue'].included).toEqual(['S']);
    expect(loaded['get-queue-attributes'].included).toEqual(['S', 'count_visible']);
    // send-messages stores; it has none of the receive or outbox functions.
    const send = loaded['send-messages'].included;
    expect(send).toEqual(expect.arrayContaining(['S', 'queue_keys', 'store_new', 'store_add', 'store_write', 'push']));
    expect(send).toContain('fifo_member'); // store_add's FIFO branch
    expect(send.filter((n) => n.startsWith('receive_') || n.endsWith('_outbox'))).toEqual([]);
    // receive_many uses receive_claim, which uses to_outbox.
    expect(loaded['receive-messages'].included).toEqual(
      expect.arrayContaining(['receive_start', 'receive_many', 'receive_claim', 'to_outbox', 'promote_due']),
    );
  });

  it('leaves no definition unused', () => {
    const used = new Set(Object.values(loadScripts()).flatMap((s) => s.included));
    expect(names.filter((n) => !used.has(n))).toEqual([]);
  });

  it("keeps every line of the script where the file has it: the definitions share the file's first line", () => {
    for (const name of SCRIPT_NAMES) {
      const file = read(`${name}.lua`);
      const { source, included } = loadScripts()[name];
      const lines = source.split('\n');
      const fileLines = file.split('\n');
      expect(lines.length, name).toBe(fileLines.length);
      expect(lines.slice(1), name).toEqual(fileLines.slice(1));
      expect(lines[0]?.endsWith(fileLines[0] as string), name).toBe(true);
      expect(fileLines[0]?.startsWith('--'), `${name} starts with a comment`).toBe(true);
      if (included.length > 0) expect(lines[0]?.startsWith(`local S = {`), name).toBe(true);
    }
  });

  it('finds names in code only, not in strings, comments or fields', () => {
    const ids = identifiers(`-- parse_info in a comment
local x = 'push' .. k.to_outbox .. "fifo_refresh" --[[ remove_message ]] .. y..store_new(1)
local z = [[ next_visible ]]`);
    expect(ids.has('parse_info')).toBe(false);
    expect(ids.has('push')).toBe(false);
    expect(ids.has('to_outbox')).toBe(false);
    expect(ids.has('fifo_refresh')).toBe(false);
    expect(ids.has('remove_message')).toBe(false);
    expect(ids.has('next_visible')).toBe(false);
    expect(ids.has('store_new')).toBe(true);
    expect(ids.has('y')).toBe(true);
  });

  it('refuses a definition that uses a later one, and joins lines only where Lua allows it', () => {
    expect(() => parseHelpers('local function a()\n  return b()\nend\nlocal function b()\n  return 1\nend\n')).toThrow(
      /a uses b, which is defined after it/,
    );
    expect(() => compact('local x = f\n(g)()')).toThrow(/starts with "\("/);
    expect(compact("local s = 'a -- not a comment' -- a comment\nreturn s")).toBe(
      "local s = 'a -- not a comment' return s",
    );
  });

  it('keeps strings exactly as written, and refuses what cannot be put on one line', () => {
    expect(compact('local function f()\n  return \'a  b\tc\' ..  "x   y"\nend')).toBe(
      'local function f() return \'a  b\tc\' .. "x   y" end',
    );
    expect(() => compact('local s = [[x\ny]]')).toThrow(/line break/);
    expect(() => parseHelpers('local function a()\n  return 1\nend\nredis.call("SET", "k", 1)\n')).toThrow(
      /line 4 is neither a definition nor inside one/,
    );
  });

  it('composes a script with no definition unchanged', () => {
    const script = '-- nothing shared\nreturn 1\n';
    expect(compose(script, parseHelpers(lib))).toEqual({ source: script, included: [] });
    expect(helpersFor('return queue_keys(true)', parseHelpers(lib)).map((h) => h.name)).toEqual(['queue_keys']);
  });
});

// Copies the Lua scripts (lua/ and the shared definitions of lua/lib/) next to the compiled store,
// where the store loads them from. The copy replaces the last one, so a removed file does not linger.
import { cpSync, rmSync } from 'node:fs';

const target = new URL('../dist/store/lua/', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(new URL('../src/store/lua/', import.meta.url), target, { recursive: true });

// Copies the Lua scripts next to the compiled store, where the store loads them from.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/store/lua/', import.meta.url), new URL('../dist/store/lua/', import.meta.url), {
  recursive: true,
});

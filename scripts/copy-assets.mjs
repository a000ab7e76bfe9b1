// Copies the Lua scripts (lua/ and the shared definitions of lua/lib/) next to the compiled store,
// where the store loads them from. The copy replaces the last one, so a removed file does not linger.
import { cpSync, rmSync, writeFileSync } from 'node:fs';

const target = new URL('../dist/store/lua/', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(new URL('../src/store/lua/', import.meta.url), target, { recursive: true });

// Every script composed with the lib/ definitions it uses, once, at build time (the store reads this
// file at start instead of parsing the Lua; see composeScripts in src/store/scripts.ts).
const { COMPOSED_FILE, composeScripts } = await import('../dist/store/scripts.js');
writeFileSync(new URL(COMPOSED_FILE, target), JSON.stringify(composeScripts()));

// The dashboard's static files (HTML, its script, CSS; tsc compiles only its route) go next to the
// compiled route, which serves them from its own folder.
const dashboard = new URL('../dist/dashboard/', import.meta.url);
for (const file of ['index.html', 'dashboard.js', 'dashboard.css']) {
  cpSync(new URL(`../src/dashboard/${file}`, import.meta.url), new URL(file, dashboard));
}

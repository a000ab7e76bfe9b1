/**
 * The peers `npm run bench -- --peers ...` compares redsqs with: other SQS emulators published on
 * npm, installed into a scratch directory under the system temp directory (never the repository)
 * and kept there between runs. Each runs in memory, in its own node process (peer-server.mjs), on
 * a free loopback port.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {object} PeerDefinition How to start one peer from its package, in peer-server.mjs.
 * @property {string} note how it is started, for the report
 * @property {(mod: any) => Promise<{ port: number, stop: () => Promise<void> }>} start given the
 *   package's module, starts a server on 127.0.0.1 and a free port
 */

/** @type {Record<string, PeerDefinition>} */
export const PEERS = {
  // startFauxqs({ port, host, logger }) (its bin, dist/cli.js, calls the same function with port 4566).
  fauxqs: {
    note: 'startFauxqs({ port: 0, logger: false }), in memory',
    async start(mod) {
      const server = await mod.startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
      return { port: Number(server.port), stop: () => server.stop() };
    },
  },
  // createSqsServer({ port, hostname }) resolves with the listening node:http server; no bin.
  'local-aws-sqs': {
    note: 'createSqsServer({ port: 0, hostname: 127.0.0.1 }), in memory',
    async start(mod) {
      const create = mod.createSqsServer ?? mod.default?.createSqsServer;
      /** @type {import('node:http').Server} */
      const server = await create({ port: 0, hostname: '127.0.0.1' });
      const address = server.address();
      return {
        port: typeof address === 'object' && address ? address.port : 0,
        stop: () =>
          new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  },
};

/**
 * @typedef {object} PeerSpec
 * @property {string} name the npm package
 * @property {string} spec what to install: an exact version, or a range; '*' when none was given
 */

/** Without a version: npm's pick for '*', the newest release whose engines accept this Node. */
export const DEFAULT_SPEC = '*';

/**
 * "fauxqs,local-aws-sqs@2.0.2" into peer specs; throws on an unknown peer, a repeated one, or none.
 * @param {string} raw
 * @returns {PeerSpec[]}
 */
export function parsePeers(raw) {
  /** @type {PeerSpec[]} */
  const peers = [];
  for (const item of raw.split(',')) {
    const text = item.trim();
    if (!text) continue;
    const at = text.indexOf('@', 1);
    const name = at < 0 ? text : text.slice(0, at);
    const spec = at < 0 ? DEFAULT_SPEC : text.slice(at + 1).trim();
    if (!Object.hasOwn(PEERS, name)) {
      throw new Error(`unknown peer "${name}"; known: ${Object.keys(PEERS).join(', ')}`);
    }
    if (!spec || !/^[\w.*^~<>=| -]+$/.test(spec)) throw new Error(`peer ${name}: not a version or range: "${spec}"`);
    if (peers.some((p) => p.name === name)) throw new Error(`peer "${name}" is named twice`);
    peers.push({ name, spec });
  }
  if (peers.length === 0) throw new Error('no peer named');
  return peers;
}

/** @param {string} spec */
const isExactVersion = (spec) => /^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(spec);

/** Where the peers are installed: one directory per peer and version spec, kept between runs. */
export function peersRoot() {
  return join(tmpdir(), 'redsqs-bench-peers');
}

/**
 * The installed package's directory and version, or undefined when it is not there.
 * @param {string} prefix
 * @param {string} name
 */
function installed(prefix, name) {
  const dir = join(prefix, 'node_modules', name);
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return { dir, version: String(pkg.version), pkg };
  } catch {
    return undefined;
  }
}

/**
 * The file `import` loads for a package: its exports' "." entry (import, then default) or main.
 * @param {any} pkg its package.json
 * @returns {string}
 */
export function entryOf(pkg) {
  /** @param {unknown} e @returns {string | undefined} */
  const pick = (e) => {
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object') {
      const o = /** @type {Record<string, unknown>} */ (e);
      if ('.' in o) return pick(o['.']);
      return pick(o.import) ?? pick(o.node) ?? pick(o.default) ?? pick(o.require);
    }
    return undefined;
  };
  return pick(pkg.exports) ?? pkg.main ?? 'index.js';
}

/**
 * @param {string[]} args
 * @param {string} cwd
 * @param {number} timeoutMs
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // npm run passes its own configuration on in npm_config_* variables: not for this install.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
    const child = spawn(npm, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const add = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, output: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * @typedef {object} InstalledPeer
 * @property {string} name
 * @property {string} version
 * @property {string} entry absolute path of the file to import
 * @property {string} how "cached", "installed", or why the cached copy was used
 */

/**
 * Installs a peer with npm into its scratch directory, or reuses what is there: at once when an
 * exact version is asked for and installed; otherwise npm is asked again (quick when nothing
 * changed), and if it fails the copy already there is used.
 * @param {PeerSpec} peer
 * @param {{ root?: string, timeoutMs?: number }} [o]
 * @returns {Promise<InstalledPeer>}
 */
export async function installPeer(peer, o = {}) {
  const prefix = join(o.root ?? peersRoot(), `${peer.name}@${peer.spec.replace(/[^\w.-]/g, '_')}`);
  const before = installed(prefix, peer.name);
  const done = (/** @type {NonNullable<typeof before>} */ it, /** @type {string} */ how) => ({
    name: peer.name,
    version: it.version,
    entry: join(it.dir, entryOf(it.pkg)),
    how,
  });
  if (before && isExactVersion(peer.spec) && before.version === peer.spec) return done(before, `cached in ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix];
  const r = await run([...args, `${peer.name}@${peer.spec}`], prefix, o.timeoutMs ?? 300_000);
  const after = installed(prefix, peer.name);
  if (r.code === 0 && after) return done(after, `installed in ${prefix}`);
  const why = r.output.trim().split('\n').slice(-3).join(' | ');
  if (after && existsSync(join(after.dir, entryOf(after.pkg)))) {
    return done(after, `npm install failed (${why}); using the copy in ${prefix}`);
  }
  throw new Error(`npm install ${peer.name}@${peer.spec} failed (exit ${r.code}): ${why}`);
}

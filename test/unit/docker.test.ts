/**
 * Docker cannot run in CI here, so these checks hold the Dockerfile and docker-compose.yml to the
 * code they package: the variables they set must be ones src/config.ts reads, the image must start
 * the package's bin with its own redis-server, the ports and the shutdown limits must agree, and
 * the healthcheck command must tell a ready service from a starting one. (The image's file layout is
 * tried for real in test/integration/packaging.test.ts.)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS } from '../../src/config.js';
import { argsOf, execForm, healthcheck, runtime, seconds, stageEnv, stages } from '../helpers/dockerfile.js';

type Obj = Record<string, unknown>;

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not a mapping`);
  return v as Obj;
}

/** Read by a library rather than by src/config.ts, and why the image sets it. */
const READ_ELSEWHERE: Record<string, string> = {
  NODE_ENV: 'Express leaves stack traces out of its error pages in production',
};

const configSource = read('src/config.ts');
const readByConfig = (name: string): boolean => configSource.includes(`env.${name}`);

// ---- the image ----

const imageEnv = stageEnv(runtime);
const imagePort = Number(imageEnv.PORT ?? DEFAULTS.port);
const check = healthcheck(runtime);
const pkg = obj(JSON.parse(read('package.json')), 'package.json');
const bin = String(obj(pkg.bin, 'package.json bin').redsqs).replace(/^\.\//, '');

describe('Dockerfile', () => {
  it('is multi-stage on one official node:<major>-<debian>-slim image, Node 22 or later', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const images = stages.map((stage) => (stage[0]?.args ?? '').split(/\s+/)[0] as string);
    for (const image of images) expect(image).toMatch(/^node:\d+-[a-z]+-slim$/);
    expect(new Set(images).size, `every stage on the same image: ${images.join(', ')}`).toBe(1);
    const major = Number(/^node:(\d+)-/.exec(images[0] as string)?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('builds with npm ci (scripts off: `prepare` would build before the sources are copied), then npm run build', () => {
    const build = stages.slice(0, -1).flat();
    const ci = build.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
    const src = build.findIndex((i) => i.op === 'COPY' && /\bsrc\b/.test(i.args));
    const compile = build.findIndex((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build[ci]?.args).toContain('--ignore-scripts');
    expect(ci).toBeLessThan(src);
    expect(src).toBeLessThan(compile);
  });

  it('installs only production dependencies, without scripts, next to the compiled dist/', () => {
    const ci = argsOf(runtime, 'RUN').find((r) => /\bnpm ci\b/.test(r)) ?? '';
    expect(ci).toMatch(/--omit=dev/);
    expect(ci).toMatch(/--ignore-scripts/);
    const copies = argsOf(runtime, 'COPY').join('\n');
    expect(copies).toMatch(/--from=\S+\s+\S*\/dist\s+\S*dist/);
    expect(copies).toContain('package-lock.json');
  });

  it('installs redis-server from Debian, without recommends, and drops the apt lists', () => {
    const apt = argsOf(runtime, 'RUN').find((r) => /\bapt-get install\b/.test(r)) ?? '';
    expect(apt).toMatch(/apt-get install\b[^&]*\bredis-server\b/);
    expect(apt).toContain('--no-install-recommends');
    expect(apt).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
  });

  it('runs the package bin with node itself, as the non-root node user, stopped by SIGTERM', () => {
    expect(argsOf(runtime, 'ENTRYPOINT'), 'nothing between the stop signal and node').toEqual([]);
    expect(execForm(argsOf(runtime, 'CMD').at(-1) ?? 'null')).toEqual(['node', bin]);
    expect(argsOf(runtime, 'USER').at(-1)).toBe('node');
    expect(argsOf(runtime, 'STOPSIGNAL').at(-1)).toBe('SIGTERM');
  });

  it('listens on every interface of the container, on the port it exposes', () => {
    expect(imageEnv.HOST).toBe('0.0.0.0');
    expect(argsOf(runtime, 'EXPOSE').flatMap((a) => a.split(/\s+/))).toEqual([String(imagePort)]);
  });

  it('keeps its data on a volume the node user owns', () => {
    const dir = imageEnv.DATA_DIR ?? '';
    expect(dir).toMatch(/^\//);
    const volumes = argsOf(runtime, 'VOLUME').flatMap((a) => (a.startsWith('[') ? execForm(a) : a.split(/\s+/)));
    expect(volumes).toContain(dir);
    // The ownership must be set before VOLUME: later changes to a volume path are discarded.
    const chown = runtime.findIndex(
      (i) => i.op === 'RUN' && new RegExp(`chown\\s+(-R\\s+)?node(:node)?\\s+${dir}(\\s|$)`).test(i.args),
    );
    const volume = runtime.findIndex((i) => i.op === 'VOLUME');
    expect(chown).toBeGreaterThanOrEqual(0);
    expect(chown).toBeLessThan(volume);
  });

  it('stops within the 10 s docker stop waits before it kills', () => {
    const limit = Number(imageEnv.REDSQS_SHUTDOWN_TIMEOUT_SECONDS ?? DEFAULTS.shutdownTimeoutMs / 1000);
    expect(limit).toBeLessThan(10);
  });

  it('has a HEALTHCHECK with node on /health of the exposed port, probing every second or two while starting', () => {
    expect(check).toBeDefined();
    const { options, argv } = check as NonNullable<typeof check>;
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    expect(argv[2]).toContain('127.0.0.1:');
    expect(argv[2]).toContain('/health');
    expect(argv[2]).toContain(`process.env.PORT || ${imagePort}`);
    expect(seconds(options['start-interval'] ?? '')).toBeLessThanOrEqual(2);
    expect(seconds(options['start-period'] ?? '')).toBeGreaterThanOrEqual(10);
  });

  it('sets only environment variables that src/config.ts reads', () => {
    for (const name of Object.keys(imageEnv)) {
      expect(readByConfig(name) || name in READ_ELSEWHERE, `src/config.ts reads env.${name}`).toBe(true);
    }
  });

  it('has a .dockerignore that keeps local builds, dependencies and data out of the context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\/|\/$/g, ''));
    for (const entry of ['node_modules', 'dist', '.redsqs-data', '.git']) expect(ignored).toContain(entry);
  });
});

describe('the HEALTHCHECK command', () => {
  let server: Server;
  let port: number;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? status : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: status === 200 ? 'ok' : 'starting' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  /** Runs the image's probe as Docker would, with PORT set, and returns its exit code. */
  function probe(env: Record<string, string>): Promise<number | null> {
    const argv = check?.argv ?? [];
    const child = spawn(process.execPath, argv.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore' });
    return new Promise((done) => child.once('exit', done));
  }

  it('passes on 200, fails on 503 (starting) and when nothing listens', async () => {
    status = 200;
    expect(await probe({ PORT: String(port) })).toBe(0);
    status = 503;
    expect(await probe({ PORT: String(port) })).toBe(1);
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    expect(await probe({ PORT: String(unused) })).toBe(1);
  });
});

// ---- docker-compose.yml ----

const compose = obj(parse(read('docker-compose.yml')), 'docker-compose.yml');
const services = obj(compose.services, 'services');
const redsqs = obj(services.redsqs, 'services.redsqs');

/** Compose accepts `environment` as a mapping or as a list of NAME=value. */
function environment(service: Obj): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const [name, ...value] = String(entry).split('=');
        return [name as string, value.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(obj(env, 'environment')).map(([k, v]) => [k, String(v ?? '')]));
}

interface PortMapping {
  hostIp: string | undefined;
  published: number;
  target: number;
}

/** Port mappings from the short ("127.0.0.1:9324:9324") or the long syntax. */
function portMappings(service: Obj): PortMapping[] {
  const ports = Array.isArray(service.ports) ? service.ports : [];
  return ports.map((p) => {
    if (typeof p === 'object' && p !== null) {
      const long = p as Obj;
      const hostIp = long.host_ip === undefined ? undefined : String(long.host_ip);
      return { hostIp, published: Number(long.published), target: Number(long.target) };
    }
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = Number(parts.at(-1));
    const published = parts.length > 1 ? Number(parts.at(-2)) : Number.NaN;
    return { hostIp: parts.length > 2 ? parts.slice(0, -2).join(':') : undefined, published, target };
  });
}

function buildContext(service: Obj): string | undefined {
  if (typeof service.build === 'string') return service.build;
  if (service.build && typeof service.build === 'object') return String((service.build as Obj).context ?? '.');
  return undefined;
}

/** What redsqs sees in the container: the image's ENV, overridden by compose's environment. */
const containerEnv = { ...imageEnv, ...environment(redsqs) };
const containerPort = Number(containerEnv.PORT ?? DEFAULTS.port);

describe('docker-compose.yml', () => {
  it('runs redsqs built from this repository, its Redis embedded, queue URLs from the Host header', () => {
    expect(buildContext(redsqs)).toBe('.');
    expect(containerEnv.REDIS_URL ?? '', 'no external Redis is needed').toBe('');
    expect(containerEnv.REDSQS_BASE_URL, 'a fixed base URL breaks queue URLs on other hosts').toBeUndefined();
  });

  it('listens on every interface inside the container and publishes that port on loopback only', () => {
    expect(containerEnv.HOST).toBe('0.0.0.0');
    expect(environment(redsqs).HOST, 'compose says so itself, not only through the image').toBe('0.0.0.0');
    const mappings = portMappings(redsqs);
    expect(mappings).toContainEqual({ hostIp: '127.0.0.1', published: 9324, target: containerPort });
    for (const m of mappings) expect(m.hostIp, `port ${m.published} is published on loopback only`).toBe('127.0.0.1');
  });

  it("keeps the data on a declared named volume at the image's DATA_DIR", () => {
    const dir = containerEnv.DATA_DIR;
    expect(dir).toMatch(/^\//);
    const volumes = (Array.isArray(redsqs.volumes) ? redsqs.volumes : []).map(String);
    const data = volumes.find((v) => v.split(':')[1] === dir);
    expect(data, `a volume at ${dir}`).toBeDefined();
    const name = (data as string).split(':')[0] as string;
    expect(name, 'a named volume, not a host path').toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    expect(Object.keys(obj(compose.volumes, 'top-level volumes'))).toContain(name);
  });

  it("restates the image's healthcheck and probes every second or two while starting", () => {
    const hc = obj(redsqs.healthcheck, 'redsqs.healthcheck');
    expect(hc.test).toEqual(['CMD', ...(check?.argv ?? [])]);
    expect(seconds(String(hc.start_interval))).toBeLessThanOrEqual(2);
    expect(seconds(String(hc.start_period))).toBeGreaterThanOrEqual(10);
  });

  it("gives a stop more time than redsqs's own shutdown limit", () => {
    const limit = Number(containerEnv.REDSQS_SHUTDOWN_TIMEOUT_SECONDS ?? DEFAULTS.shutdownTimeoutMs / 1000);
    expect(seconds(String(redsqs.stop_grace_period ?? '10s'))).toBeGreaterThan(limit);
  });

  it('sets only environment variables that src/config.ts reads', () => {
    // Only services built from this repository run our config; others (e.g. a redis) have their own.
    const ours = Object.values(services).filter((s) => buildContext(obj(s, 'service')) !== undefined);
    expect(ours.length).toBeGreaterThan(0);
    for (const service of ours) {
      for (const name of Object.keys(environment(obj(service, 'service')))) {
        expect(readByConfig(name) || name in READ_ELSEWHERE, `src/config.ts reads env.${name}`).toBe(true);
      }
    }
  });
});

describe('README.md', () => {
  const readme = new URL('../../README.md', import.meta.url);

  it('tells users to run docker compose up', (ctx) => {
    ctx.skip(!existsSync(readme), 'README.md does not exist yet; this check runs once it does');
    expect(readFileSync(readme, 'utf8')).toContain('docker compose up');
  });
});

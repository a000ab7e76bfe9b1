/**
 * Docker cannot run in CI here, so these checks hold the Dockerfile and docker-compose.yml to the
 * code they package: the variables the compose file sets must be ones src/config.ts reads, the
 * image must start the package's bin, and the ports must agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

type Obj = Record<string, unknown>;

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not a mapping`);
  return v as Obj;
}

const compose = obj(parse(read('docker-compose.yml')), 'docker-compose.yml');
const services = obj(compose.services, 'services');
const redis = obj(services.redis, 'services.redis');
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

/** Published -> container port pairs, from short ("9324:9324") or long syntax. */
function portMappings(service: Obj): { published: number; target: number }[] {
  const ports = Array.isArray(service.ports) ? service.ports : [];
  return ports.map((p) => {
    if (typeof p === 'object' && p !== null) {
      const long = p as Obj;
      return { published: Number(long.published), target: Number(long.target) };
    }
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = Number(parts[parts.length - 1]);
    return { published: parts.length > 1 ? Number(parts[parts.length - 2]) : Number.NaN, target };
  });
}

function buildContext(service: Obj): string | undefined {
  if (typeof service.build === 'string') return service.build;
  if (service.build && typeof service.build === 'object') return String((service.build as Obj).context ?? '.');
  return undefined;
}

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions grouped by stage, with continuation lines joined and comments dropped. */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const op = (match[1] as string).toUpperCase();
    if (op === 'FROM') stages.push([]);
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    stage.push({ op, args: (match[2] as string).trim() });
  }
  return stages;
}

const stages = dockerfileStages(read('Dockerfile'));
const runtime = stages[stages.length - 1] ?? [];
const argsOf = (stage: Instruction[], op: string): string[] => stage.filter((i) => i.op === op).map((i) => i.args);

const redsqsEnv = environment(redsqs);
const port = Number(redsqsEnv.PORT);

describe('docker-compose.yml', () => {
  it('has a redis and a redsqs service, redsqs built from this repository', () => {
    expect(buildContext(redsqs)).toBe('.');
    expect(String(redis.image)).toMatch(/^redis:/);
  });

  it('points redsqs at the redis service', () => {
    const url = new URL(redsqsEnv.REDIS_URL ?? '');
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(url.port === '' ? 6379 : Number(url.port)).toBe(6379);
    const dependsOn = obj(redsqs.depends_on, 'redsqs.depends_on');
    expect(obj(dependsOn.redis, 'depends_on.redis').condition).toBe('service_healthy');
    expect(redis.healthcheck, 'redis needs a healthcheck for service_healthy').toBeDefined();
  });

  it('listens on every interface on 9324 and publishes it as 9324', () => {
    expect(port).toBe(9324);
    expect(redsqsEnv.HOST).toBe('0.0.0.0');
    expect(portMappings(redsqs)).toContainEqual({ published: 9324, target: port });
  });

  it('builds queue URLs that clients on the host can reach', () => {
    const base = new URL(redsqsEnv.REDSQS_BASE_URL ?? '');
    const published = portMappings(redsqs).find((m) => m.target === port)?.published;
    expect(Number(base.port)).toBe(published);
    expect(['localhost', '127.0.0.1']).toContain(base.hostname);
  });

  it('gives redsqs a healthcheck on /health', () => {
    const test = obj(redsqs.healthcheck, 'redsqs.healthcheck').test;
    expect(JSON.stringify(test)).toContain(`127.0.0.1:${port}/health`);
  });

  it('persists redis with appendonly on a declared named volume', () => {
    expect(String(redis.command)).toMatch(/--appendonly\s+yes/);
    const volumes = (Array.isArray(redis.volumes) ? redis.volumes : []).map(String);
    const data = volumes.find((v) => v.split(':')[1] === '/data');
    expect(data, 'redis mounts a volume at /data').toBeDefined();
    const name = (data as string).split(':')[0] as string;
    expect(name, 'a named volume, not a host path').toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    expect(Object.keys(obj(compose.volumes, 'top-level volumes'))).toContain(name);
  });

  it('sets only environment variables that src/config.ts reads', () => {
    // Only services built from this repository run our config; others (redis) have their own.
    const config = read('src/config.ts');
    const ours = Object.values(services).filter((s) => buildContext(obj(s, 'service')) !== undefined);
    expect(ours.length).toBeGreaterThan(0);
    for (const service of ours) {
      for (const name of Object.keys(environment(obj(service, 'service')))) {
        expect(config, `src/config.ts reads env.${name}`).toContain(`env.${name}`);
      }
    }
  });
});

describe('Dockerfile', () => {
  const pkg = obj(JSON.parse(read('package.json')), 'package.json');

  it('is multi-stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:20-bookworm-slim(\s+AS\s+\S+)?$/i);
  });

  it('builds with npm ci and npm run build, then installs production dependencies only', () => {
    const build = stages.slice(0, -1).flat();
    const buildRuns = build.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(buildRuns.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(buildRuns.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(argsOf(runtime, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    const copies = argsOf(runtime, 'COPY').join('\n');
    expect(copies).toMatch(/--from=\S+\s+\S*dist\s/);
    expect(copies).toContain('package-lock.json');
  });

  it('runs the package bin as the non-root node user', () => {
    const cmd = argsOf(runtime, 'CMD').at(-1);
    const argv = JSON.parse(cmd ?? 'null') as unknown;
    const bin = obj(pkg.bin, 'package.json bin').redsqs;
    expect(argv).toEqual(['node', String(bin).replace(/^\.\//, '')]);
    expect(argsOf(runtime, 'USER').at(-1)).toBe('node');
  });

  it('exposes the port compose publishes', () => {
    expect(argsOf(runtime, 'EXPOSE').flatMap((a) => a.split(/\s+/))).toEqual([String(port)]);
  });

  it('has a .dockerignore that keeps local builds, dependencies and data out of the context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\/|\/$/g, ''));
    for (const entry of ['node_modules', 'dist', '.redsqs-data', '.git']) expect(ignored).toContain(entry);
  });
});

describe('README.md', () => {
  const readme = new URL('../../README.md', import.meta.url);

  it('tells users to run docker compose up', (ctx) => {
    ctx.skip(!existsSync(readme), 'README.md does not exist yet; this check runs once it does');
    expect(readFileSync(readme, 'utf8')).toContain('docker compose up');
  });
});

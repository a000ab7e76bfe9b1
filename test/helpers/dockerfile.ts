/**
 * Reads the repository's Dockerfile the way the tests need it: instructions grouped by stage, and
 * what the runtime (last) stage sets up. Docker cannot run in CI here, so the tests hold the
 * Dockerfile to the code through this reading instead.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: string;
  args: string;
}

export const DOCKERFILE = new URL('../../Dockerfile', import.meta.url);

/** Instructions grouped by stage, with continuation lines joined and comments dropped. */
export function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const joined = text.replace(/\\[ \t]*\r?\n/g, ' ');
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

export const argsOf = (stage: Instruction[], op: string): string[] =>
  stage.filter((i) => i.op === op).map((i) => i.args);

/** An exec-form argument list (`["node", "x.js"]`); shell form is refused, as the tests want exec form. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`not an exec-form list: ${args}`);
  }
  return parsed as string[];
}

/** `ENV A=1 B="two words"` (and the legacy `ENV A 1`) as name/value pairs. */
export function envPairs(args: string): [string, string][] {
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*) ([^=]*)$/.exec(args);
  if (legacy) return [[legacy[1] as string, legacy[2] as string]];
  const pairs: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of args.matchAll(re)) {
    const raw = m[2] as string;
    pairs.push([m[1] as string, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw]);
  }
  return pairs;
}

/** The environment a stage's ENV instructions leave for the container. */
export function stageEnv(stage: Instruction[]): Record<string, string> {
  return Object.fromEntries(argsOf(stage, 'ENV').flatMap(envPairs));
}

export interface Healthcheck {
  /** `--interval=30s` and friends, by name without the dashes. */
  options: Record<string, string>;
  argv: string[];
}

/** The stage's last HEALTHCHECK (exec form), or undefined when it has none. */
export function healthcheck(stage: Instruction[]): Healthcheck | undefined {
  const args = argsOf(stage, 'HEALTHCHECK').at(-1);
  if (args === undefined) return undefined;
  const m = /^((?:--\S+\s+)*)CMD\s+(.*)$/.exec(args);
  if (!m) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  const options = Object.fromEntries(
    (m[1] as string)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((o) => {
        const [name, ...value] = o.replace(/^--/, '').split('=');
        return [name as string, value.join('=')];
      }),
  );
  return { options, argv: execForm(m[2] as string) };
}

/** Docker and Compose durations ("1s", "1m30s", "500ms") in seconds. */
export function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration.trim()) {
    throw new Error(`not a duration: ${duration}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

export const stages = dockerfileStages(readFileSync(DOCKERFILE, 'utf8'));
export const runtime: Instruction[] = stages[stages.length - 1] ?? [];

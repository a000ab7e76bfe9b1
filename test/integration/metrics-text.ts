/** The Prometheus text format, as the /metrics tests read it. */
import { expect } from 'vitest';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of Prometheus text format 0.0.4 (comments skipped; label values unescaped). */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const raw = m[3] as string;
    out.push({
      name: m[1] as string,
      labels,
      value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw),
    });
  }
  return out;
}

/**
 * Each family's `# TYPE` line appears once, before its samples, and no sample line repeats a series:
 * what Prometheus refuses in a scrape.
 */
export function expectWellFormed(text: string): void {
  const typed = new Set<string>();
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) /.exec(line);
    if (t) {
      expect(typed.has(t[1] as string), `second TYPE line for ${t[1]}`).toBe(false);
      typed.add(t[1] as string);
    } else if (line !== '' && !line.startsWith('#')) {
      const key = line.slice(0, line.lastIndexOf(' '));
      expect(series.has(key), `repeated series ${key}`).toBe(false);
      series.add(key);
    }
  }
}

export async function scrape(url: string): Promise<{ samples: Sample[]; text: string; type: string | null }> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  expectWellFormed(text);
  return { samples: parseProm(text), text, type: res.headers.get('content-type') };
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]?.value;
}

/**
 * Finds the boto3 installations and AWS CLIs on this machine, and runs them isolated from the
 * user's AWS configuration. Debian's packages (python3-boto3 for /usr/bin/python3, awscli at
 * /usr/bin/aws) are told apart: CI requires them, since on Debian 12 they are clients that
 * still speak the query protocol to SQS.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCENARIO_PY = fileURLToPath(new URL('./scenario.py', import.meta.url));
/** botocore sdk-extras adding the move task operations to models that predate them. */
export const MODELS_DIR = fileURLToPath(new URL('./models', import.meta.url));

export const DEBIAN_PYTHON = '/usr/bin/python3';
export const DEBIAN_AWS = '/usr/bin/aws';
const DEBIAN_DIST_PACKAGES = '/usr/lib/python3/dist-packages/';

/** The environment of a client run: PATH (and pyenv's settings) from ours, no other AWS_* variable. */
export function clientEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    PYTHONUTF8: '1',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (k === 'PATH' || k === 'TMPDIR' || k.startsWith('PYENV_'))) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a client to its end, in an empty home directory of its own (no ~/.aws config, credentials,
 * models or caches), removed afterwards. The timeout kills it (SIGKILL), so no run outlives its
 * test; every client here execs its interpreter (pyenv shims included), so the pid killed is the client.
 */
export function run(file: string, args: string[], env = clientEnv(), timeoutMs = 30_000): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), 'redsqs-client-'));
  const isolated = {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  };
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: isolated, cwd: home, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        const code = !e ? 0 : typeof e.code === 'number' ? e.code : -1;
        const why = e?.killed ? `\n(killed after ${timeoutMs} ms)` : e && code === -1 ? `\n(${e.message})` : '';
        resolve({ code, stdout, stderr: stderr + why });
      },
    );
  });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `names` in every PATH directory, in PATH order, then the fixed paths; those that exist. */
function candidates(names: string[], fixed: string[]): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const all = [...dirs.flatMap((d) => names.map((n) => join(d, n))), ...fixed];
  const seen = new Set<string>();
  return all.filter((p) => {
    if (seen.has(p) || !executable(p)) return false;
    seen.add(p);
    return true;
  });
}

export interface Boto3 {
  /** The interpreter as found (a PATH entry, maybe a shim). */
  command: string;
  python: string;
  pythonVersion: string;
  boto3: string;
  boto3Path: string;
  botocore: string;
  /** The protocol of the client's own SQS model. */
  protocol: string;
  moveTasksInModel: boolean;
  debian: boolean;
}

/** Every distinct boto3 (by boto3 and botocore version) the Python interpreters here import. */
export async function findBoto3s(): Promise<Boto3[]> {
  const found = await Promise.all(
    candidates(['python3', 'python'], [DEBIAN_PYTHON, '/usr/local/bin/python3', '/opt/homebrew/bin/python3']).map(
      async (command) => {
        const r = await run(command, [SCENARIO_PY, '--probe'], clientEnv(), 15_000);
        if (r.code !== 0) return undefined;
        try {
          const info = JSON.parse(r.stdout) as Omit<Boto3, 'command' | 'debian'>;
          return { command, ...info, debian: info.boto3Path.startsWith(DEBIAN_DIST_PACKAGES) };
        } catch {
          return undefined;
        }
      },
    ),
  );
  return distinct(
    found.filter((b): b is Boto3 => b !== undefined),
    (b) => `${b.boto3}/${b.botocore}`,
  );
}

export interface AwsCli {
  command: string;
  realPath: string;
  /** `aws --version` as printed. */
  versionLine: string;
  version: string;
  major: number;
  /** Whether its SQS model has the move task operations (else test/clients/models adds them). */
  moveTasksInModel: boolean;
  debian: boolean;
}

/** Every distinct AWS CLI (by version) on PATH or at the usual places. */
export async function findAwsClis(): Promise<AwsCli[]> {
  const found = await Promise.all(
    candidates(['aws'], [DEBIAN_AWS, '/usr/local/bin/aws', '/opt/homebrew/bin/aws']).map(async (command) => {
      const v = await run(command, ['--version'], clientEnv(), 15_000);
      // Old v1 releases print the version on standard error.
      const versionLine = `${v.stdout}${v.stderr}`.trim().split('\n')[0] ?? '';
      const m = /^aws-cli\/((\d+)\.\S+)/.exec(versionLine);
      if (v.code !== 0 || !m) return undefined;
      // Without arguments an operation the CLI knows asks for them; one it does not know is an invalid choice.
      const probe = await run(command, ['sqs', 'list-message-move-tasks'], clientEnv(), 15_000);
      const realPath = realpathSync(command);
      return {
        command,
        realPath,
        versionLine,
        version: m[1] as string,
        major: Number(m[2]),
        moveTasksInModel: !/invalid choice/i.test(probe.stderr),
        debian: realPath === DEBIAN_AWS && isDebianPackaged(DEBIAN_AWS),
      };
    }),
  );
  return distinct(
    found.filter((c): c is AwsCli => c !== undefined),
    (c) => c.version,
  );
}

/** Whether Debian's awscli package installed `path` (dpkg's file list of the package). */
function isDebianPackaged(path: string): boolean {
  try {
    return readFileSync('/var/lib/dpkg/info/awscli.list', 'utf8').split('\n').includes(path);
  } catch {
    return false;
  }
}

/** The first of each key, Debian's packages first. */
function distinct<T extends { debian: boolean }>(items: T[], key: (item: T) => string): T[] {
  const ordered = [...items.filter((i) => i.debian), ...items.filter((i) => !i.debian)];
  const seen = new Set<string>();
  return ordered.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The pids of this process's children still running (Linux /proc; elsewhere unknown: []). */
export function childPids(): number[] {
  try {
    return readdirSync(`/proc/${process.pid}/task`).flatMap((t) => {
      try {
        return readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** The command line of a process, for a message about it. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '?';
  }
}

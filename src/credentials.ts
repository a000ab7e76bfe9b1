/**
 * Credentials the service accepts (REDSQS_CREDENTIALS, or `credentials` in redsqs.config.json):
 * access key id, secret and the account the key belongs to. None configured: signatures are not
 * checked (a laptop's default).
 */

export interface Credential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The 12-digit account whose queues this key's requests see as their own. */
  readonly accountId: string;
}

/** AWS access key ids: 16 to 128 word characters (IAM's limits). */
const ACCESS_KEY_ID = /^\w{16,128}$/;
const ACCOUNT_ID = /^\d{12}$/;

export class CredentialsError extends Error {}

/** One credential, checked; `where` names the setting in errors (never the secret). */
export function credentialOf(
  accessKeyId: string,
  secretAccessKey: string,
  accountId: string,
  where: string,
): Credential {
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw new CredentialsError(
      `${where}: the access key id "${accessKeyId}" must be 16 to 128 letters, digits or underscores (AWS's form, e.g. AKIAIOSFODNN7EXAMPLE)`,
    );
  }
  if (secretAccessKey.length < 1) throw new CredentialsError(`${where}: the secret of ${accessKeyId} is empty`);
  if (!ACCOUNT_ID.test(accountId)) {
    throw new CredentialsError(`${where}: the account of ${accessKeyId} must be 12 digits, got "${accountId}"`);
  }
  return { accessKeyId, secretAccessKey, accountId };
}

/**
 * `AKID:SECRET:ACCOUNT[,AKID:SECRET:ACCOUNT...]`. A secret may hold `:` (the account is the last
 * field); whitespace around entries is ignored. A key listed twice is an error.
 */
export function parseCredentials(raw: string | undefined, where = 'REDSQS_CREDENTIALS'): Credential[] {
  if (raw === undefined || raw.trim() === '') return [];
  const list = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const first = entry.indexOf(':');
      const last = entry.lastIndexOf(':');
      if (first < 0 || last === first) {
        throw new CredentialsError(`${where}: entry ${i + 1} must be ACCESS_KEY_ID:SECRET:ACCOUNT_ID`);
      }
      return credentialOf(entry.slice(0, first), entry.slice(first + 1, last), entry.slice(last + 1), where);
    });
  return checkDistinct(list, where);
}

export function checkDistinct(list: Credential[], where: string): Credential[] {
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.accessKeyId)) throw new CredentialsError(`${where}: access key ${c.accessKeyId} is listed twice`);
    seen.add(c.accessKeyId);
  }
  return list;
}

/**
 * REDSQS_CREDENTIALS and the configuration file's `credentials`, together. A key in both is an
 * error, even with the same secret: one place must say which secret and account a key has.
 */
export function mergeCredentials(
  fromEnv: readonly Credential[],
  fromFile: readonly Credential[],
  file: string,
): Credential[] {
  const inEnv = new Set(fromEnv.map((c) => c.accessKeyId));
  for (const c of fromFile) {
    if (inEnv.has(c.accessKeyId)) {
      throw new CredentialsError(`access key ${c.accessKeyId} is in both REDSQS_CREDENTIALS and ${file}: keep one`);
    }
  }
  return [...fromEnv, ...fromFile];
}

/**
 * The key the service's own clients (the pollers) sign with: one of the account whose queues they
 * use. Undefined when no credentials are configured (requests are not checked then).
 */
export function credentialFor(list: readonly Credential[], accountId: string, who: string): Credential | undefined {
  if (list.length === 0) return undefined;
  const found = list.find((c) => c.accountId === accountId);
  if (!found) {
    throw new CredentialsError(
      `${who} sign their requests with a key of account ${accountId} (REDSQS_ACCOUNT_ID), and none is configured: add one to REDSQS_CREDENTIALS or to the configuration file's credentials`,
    );
  }
  return found;
}

/** What the start-up line and its warnings read of the configuration. */
export interface SecuritySettings {
  credentials: readonly Credential[];
  devToken?: string | undefined;
  /** The developer routes are on. */
  devEndpoints: boolean;
}

/** What the start-up line says of signatures. */
export function securityNote(config: SecuritySettings): string {
  const n = config.credentials.length;
  return n === 0 ? 'signatures not checked' : `signatures checked, ${n} key${n === 1 ? '' : 's'}`;
}

/** Settings that do nothing as given, said once at start. */
export function securityWarnings(config: SecuritySettings): string[] {
  const out: string[] = [];
  if (config.devToken !== undefined && config.credentials.length === 0) {
    out.push(
      'REDSQS_DEV_TOKEN is set but no credentials are: the developer routes and /metrics are open to this machine ' +
        'without it (set REDSQS_CREDENTIALS to require it)',
    );
  }
  if (config.credentials.length > 0 && config.devToken === undefined && config.devEndpoints) {
    out.push(
      'credentials are configured but REDSQS_DEV_TOKEN is not: /metrics, the dashboard and the developer routes take ' +
        'only signed requests',
    );
  }
  if (config.devToken !== undefined && config.credentials.length > 0 && config.devToken.length < 16) {
    out.push('REDSQS_DEV_TOKEN is shorter than 16 characters: use a long random one (e.g. openssl rand -hex 24)');
  }
  return out;
}

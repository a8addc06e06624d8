/**
 * Masking of secret environment values for the inventory. Reports are pasted into tickets and
 * chats, so a value that looks secret never leaves the analyzer in clear text; the structure around
 * it (which user, which host, which database) stays readable because that is what a reviewer needs.
 */

export const MASK = '***';

/** Name parts that make a variable secret wherever they appear (`MYSQL_ROOT_PASSWORD`, `dbPassword`). */
const SECRET_PARTS = new Set([
  'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL',
  'CREDENTIALS', 'CREDS', 'PASSPHRASE', 'APIKEY', 'PRIVATEKEY', 'REQUIREPASS', 'MASTERAUTH', 'SALT',
]);

/** Parts that are secret only as the last part: `BASIC_AUTH`, `APP_KEY`, but not `AUTH_METHOD`, `KEY_ID`. */
const SECRET_LAST_PARTS = new Set(['AUTH', 'KEY', 'KEYS']);

/** A `*_KEY` after one of these names a lookup key, not a secret (`ROUTING_KEY`, `PUBLIC_KEY`). */
const NON_SECRET_KEY_KINDS = new Set([
  'PUBLIC', 'PUB', 'PRIMARY', 'FOREIGN', 'PARTITION', 'SORT', 'CACHE', 'ROUTING', 'LOOKUP', 'IDEMPOTENCY',
]);

/**
 * A last part that says the variable describes a secret rather than holds it: `PASSWORD_FILE`,
 * `TOKEN_TTL`, `SECRET_NAME`, `JWT_SECRET_ALGORITHM`.
 */
const METADATA_PARTS = new Set([
  'FILE', 'PATH', 'DIR', 'TTL', 'EXPIRY', 'EXPIRE', 'EXPIRES', 'EXPIRATION', 'LIFETIME', 'TIMEOUT', 'AGE', 'LENGTH',
  'LEN', 'MIN', 'MAX', 'ENABLED', 'ENABLE', 'DISABLED', 'DISABLE', 'REQUIRED', 'TYPE', 'MODE', 'ALGORITHM', 'ALG',
  'HEADER', 'POLICY', 'ROUNDS', 'NAME', 'ID', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'USER', 'USERNAME',
  'LOCATION', 'PROVIDER', 'METHOD', 'FORMAT', 'SIZE', 'COUNT', 'RETRIES', 'INTERVAL', 'ISSUER', 'AUDIENCE',
  'VERSION', 'STORE', 'FIELD', 'ENV', 'VAR', 'KIND', 'BACKEND', 'HASH', 'HASHED',
]);

/** `MYSQL_ROOT_PASSWORD` → `MYSQL ROOT PASSWORD`; also `dbPassword`, `discovery.seed_hosts`, `api-key`. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.toUpperCase());
}

const judgedNames = new Map<string, boolean>();

/** Whether a variable (or query parameter) name says its value is a secret. */
export function isSecretName(name: string): boolean {
  // The same few hundred names are asked about by every rule, inventory and mask of a run.
  let secret = judgedNames.get(name);
  if (secret === undefined) {
    if (judgedNames.size >= 10_000) judgedNames.clear();
    secret = judgeName(name);
    judgedNames.set(name, secret);
  }
  return secret;
}

function judgeName(name: string): boolean {
  const parts = nameParts(name);
  const last = parts.at(-1);
  if (last === undefined || METADATA_PARTS.has(last)) return false;
  // The shell's working directory, not a password.
  if (parts.length === 1 && last === 'PWD') return false;
  if (parts.some((p) => SECRET_PARTS.has(p))) return true;
  if (parts.length >= 2 && parts.at(-2) === 'API' && last === 'KEY') return true;
  if (SECRET_LAST_PARTS.has(last)) {
    const before = parts.at(-2);
    return before === undefined || !NON_SECRET_KEY_KINDS.has(before);
  }
  return false;
}

/** A value that only refers to a secret kept elsewhere: `${DB_PASSWORD}`, `/run/secrets/db`. */
function isReference(value: string): boolean {
  const v = value.trim();
  return /^\$\{[^}]*\}$/.test(v) || /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v) || v.startsWith('/run/secrets/');
}

// scheme://[user[:password]@]rest — the userinfo ends at the last `@` before the path, so an
// unencoded `@` inside a password is masked with the rest of it.
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/?#]*)@/g;
const CONNECTION_STRING_PASSWORD = /(^|[;\s])((?:password|passwd|pwd)\s*=\s*)([^;]*)/gi;
const QUERY_PARAMETER = /([?&])([^=&#\s]+)=([^&#\s]*)/g;
const PASSWORD_FLAG = /(--?(?:password|passwd|requirepass|masterauth|token|secret)(?:=|\s+))(\S+)/gi;

/** A user part that is a token rather than a user name (`https://ghp_a1b2…@github.com`). */
const looksLikeToken = (user: string): boolean => user.length >= 16 && /\d/.test(user) && /[A-Za-z]/.test(user);

/**
 * Masks the secret parts inside one value: URL passwords (`postgres://user:***@db:5432/app`),
 * `Password=` in connection strings, secret query parameters, `--requirepass x` style flags.
 */
export function maskValue(value: string): string {
  return value
    .replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon >= 0) {
        const password = userinfo.slice(colon + 1);
        return `${scheme}${userinfo.slice(0, colon)}:${password === '' || isReference(password) ? password : MASK}@`;
      }
      return `${scheme}${looksLikeToken(userinfo) ? MASK : userinfo}@`;
    })
    .replace(CONNECTION_STRING_PASSWORD, (_m, lead: string, key: string, secret: string) =>
      secret.trim() === '' || isReference(secret) ? `${lead}${key}${secret}` : `${lead}${key}${MASK}`,
    )
    .replace(QUERY_PARAMETER, (m, sep: string, key: string, secret: string) =>
      isSecretName(key) && secret !== '' && !isReference(secret) ? `${sep}${key}=${MASK}` : m,
    )
    .replace(PASSWORD_FLAG, (m, flag: string, secret: string) => (isReference(secret) ? m : `${flag}${MASK}`));
}

/**
 * The environment as the inventory shows it: values of secret-named variables become `***`
 * (empty values and references such as `${VAR}` or `/run/secrets/…` are kept, they reveal
 * nothing), and every other value has the secret parts inside it masked.
 */
export function maskEnvironment(env: Readonly<Record<string, string | null>>): Record<string, string | null> {
  const masked: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === null || value === '') masked[key] = value;
    else if (isSecretName(key) && !isReference(value)) masked[key] = MASK;
    else masked[key] = maskValue(value);
  }
  return masked;
}

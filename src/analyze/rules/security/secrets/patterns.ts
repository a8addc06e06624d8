/**
 * What looks like a secret: key names, token formats, credentials in URLs, and the values that
 * only look like one (paths, booleans, placeholders, names of other variables).
 */

/** How sure a key name is to hold a secret: `strong` for any literal, `weak` only when the value looks random. */
export type KeyStrength = 'strong' | 'weak';

const SECRET_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'secretkey', 'privatekey', 'accesskey'];

/** Words in front of `key` that make it a credential (`API_KEY`, `PRIVATE_KEY`, `SECRET_ACCESS_KEY`). */
const KEY_QUALIFIERS = new Set(['api', 'private', 'access', 'secret', 'encryption', 'signing', 'master', 'auth', 'client', 'openssl', 'crypt', 'cipher']);

/**
 * The last word of a key that makes it describe a secret rather than hold one
 * (`PASSWORD_FILE`, `TOKEN_TTL`, `password_encryption`, `AWS_ACCESS_KEY_ID`).
 */
const NOT_SECRET_SUFFIXES = new Set([
  'file', 'files', 'path', 'dir', 'directory', 'location', 'url', 'uri', 'endpoint', 'host', 'hostname', 'port',
  'user', 'username', 'login', 'name', 'id', 'enabled', 'enable', 'disabled', 'disable', 'required', 'require',
  'length', 'len', 'min', 'max', 'size', 'expiry', 'expire', 'expires', 'expiration', 'ttl', 'timeout',
  'lifetime', 'age', 'minutes', 'seconds', 'hours', 'days', 'ms', 'algorithm', 'algo', 'alg', 'encryption',
  'hash', 'method', 'type', 'mode', 'policy', 'header', 'prefix', 'suffix', 'cost', 'rounds', 'iterations',
  'rotation', 'command', 'cmd', 'env', 'var', 'field', 'param', 'reset', 'strength', 'complexity', 'pattern',
  'regex', 'format', 'version', 'count', 'limit', 'interval', 'retries', 'provider', 'backend', 'store',
  'storage', 'source', 'audience', 'issuer', 'scope', 'scopes', 'grant', 'public', 'checksum',
]);

/** Keys meant to be public: `JWT_PUBLIC_KEY`, `STRIPE_PUBLISHABLE_KEY`, Next.js `NEXT_PUBLIC_*`. */
const PUBLIC_WORDS = new Set(['public', 'publishable', 'pub']);

/** `MYSQL_ROOT_PASSWORD` → mysql, root, password; `clientSecret` → client, secret. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function secretKeyStrength(key: string): KeyStrength | undefined {
  // A version or rotation number says which key, not what it is: `_APP_OPENSSL_KEY_V1`, `SECRET_KEY_2`.
  const words = keyWords(key);
  while (words.length > 1 && /^v?\d+$/.test(words[words.length - 1]!)) words.pop();
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  const isSecretWord = (w: string) => SECRET_WORDS.some((s) => w === s || w.endsWith(s));
  const several = words.length > 1;
  const secretAt = (w: string, i: number) =>
    isSecretWord(w) ||
    (several && (w === 'pwd' || w === 'pass' || w === 'credentials' || w === 'credential')) ||
    (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!));
  if (NOT_SECRET_SUFFIXES.has(last) || words.some((w) => PUBLIC_WORDS.has(w))) return undefined;
  if (words.some(secretAt)) return 'strong';
  return last === 'key' ? 'weak' : undefined;
}

/**
 * Values that are not a secret whatever the key says: nothing, a boolean, a path (to a secret
 * file), the name of another variable, an obvious placeholder, a small number or a duration.
 */
export function isNotASecret(value: string): boolean {
  const v = value.trim();
  if (v === '') return true;
  if (/^(true|false|yes|no|on|off|y|n|null|nil|none|undefined|unset)$/i.test(v)) return true;
  if (/^(\/|\.\.?\/|~\/)/.test(v)) return true;
  // Dovecot's `key = </path` reads the value from that file: a reference, not the secret.
  if (/^<\s*(\/|\.\.?\/|~\/)\S*$/.test(v)) return true;
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(v)) return true;
  if (/^<[^<>]*>$/.test(v) || /^(x{3,}|\*{3,}|\.{3,}|-{3,})$/i.test(v)) return true;
  if (/^(todo|tbd|fixme|placeholder|redacted|dummy|n\/a)$/i.test(v)) return true;
  if (/^\d{1,3}$/.test(v) || /^\d+(ms|s|m|h|d)$/.test(v) || /^\d+\.\d+$/.test(v)) return true;
  // Settings that describe a secret: an algorithm, a switch, an include of another file, a public key.
  if (/^(disabled?|enabled?|empty|required|optional|plain|random|auto|generate[ds]?)$/i.test(v)) return true;
  if (/^(HS|RS|ES|PS)(256|384|512)$|^EdDSA$/i.test(v) || /^(sha-?(1|224|256|384|512)|md5|bcrypt|scrypt|argon2(id|i|d)?|pbkdf2(_sha\d+)?|aes-?\d+(-(gcm|cbc|ctr))?|hmac-?sha\d+)$/i.test(v)) return true;
  if (/^(@?include|!include|include_dir|\$include)\b/i.test(v)) return true;
  if (/^-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(v) || /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+/.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && urlCredentials(v) === undefined) return true;
  return false;
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A value that reads like generated key material rather than a word or a setting. */
export function looksRandom(value: string): boolean {
  return value.length >= 16 && !/\s/.test(value) && entropy(value) >= 3.5 && /\d/.test(value) && /[a-z]/i.test(value);
}

interface TokenFormat {
  label: string;
  pattern: RegExp;
}

const TOKEN_FORMATS: readonly TokenFormat[] = [
  { label: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { label: 'an AWS access key ID', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { label: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { label: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { label: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { label: 'a Slack webhook URL', pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/ },
  { label: 'a Stripe live key', pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}/ },
  { label: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { label: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { label: 'a SendGrid key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
  { label: 'an OpenAI or Anthropic key', pattern: /\bsk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{40,}/ },
];

export interface TokenMatch {
  label: string;
  token: string;
}

/** The first well-known credential format found anywhere in the text. */
export function findToken(text: string): TokenMatch | undefined {
  for (const { label, pattern } of TOKEN_FORMATS) {
    const m = pattern.exec(text);
    if (m) return { label, token: m[0] };
  }
  return undefined;
}

export interface UrlCredentials {
  scheme: string;
  user: string;
  password: string;
}

/** `postgres://user:pass@db:5432/app` or `redis://:pass@cache` → user and password (none without a password). */
export function urlCredentials(text: string): UrlCredentials | undefined {
  const m = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:@/]*):([^\s@/]+)@/i.exec(text);
  if (!m) return undefined;
  return { scheme: m[1]!.toLowerCase(), user: m[2]!, password: m[3]! };
}

/** First two characters and `***`; shorter values are hidden entirely. */
export function mask(value: string): string {
  return value.length >= 6 ? `${value.slice(0, 2)}***` : '***';
}

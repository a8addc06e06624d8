import { findToken, isNotASecret, looksRandom, secretKeyStrength, urlCredentials, type KeyStrength } from './patterns.js';
import { fallbackValue, hasReference, hasShellExpansion } from './raw-text.js';

/**
 * `literal`: the file itself holds the secret. `fallback`: the file references a variable and
 * holds the secret as its default (`${DB_PASSWORD:-postgres}`), used when the variable is unset.
 */
export type Origin = 'literal' | 'fallback';

export type SecretKind = 'named' | 'url' | 'token' | 'flag';

export interface SecretPart {
  kind: SecretKind;
  /** The secret itself: the whole value, a URL's password, a token, a flag's argument. */
  value: string;
  origin: Origin;
  /** For `named`: how sure the key is to hold a secret. */
  strength?: KeyStrength;
  /** For `token`: what kind of token. For `flag`: the flag. */
  label?: string;
  /** For a fallback: the variable it is the default of. */
  variable?: string;
  /** For `url`: its user and scheme, which tell a default password. */
  user?: string;
  scheme?: string;
}

/**
 * The secrets in one `KEY: value`. `raw` is the text as written (before interpolation), or
 * undefined when the value is known to be literal (a single-quoted `.env` value).
 */
export function secretsOfValue(key: string, value: string, raw: string | undefined): SecretPart[] {
  const written = raw ?? value;
  const referenced = raw !== undefined && hasReference(raw);
  const token = findToken(referenced ? written : value);
  if (token) return [{ kind: 'token', value: token.token, origin: 'literal', label: token.label }];

  const parts: SecretPart[] = [];
  const url = urlPart(written, raw !== undefined);
  if (url) parts.push(url);
  else {
    const strength = secretKeyStrength(key);
    const text = referenced ? fallbackValue(written) : value;
    if (strength && !isNotASecret(text) && (strength === 'strong' || looksRandom(text))) {
      parts.push({ kind: 'named', value: text, origin: referenced ? 'fallback' : 'literal', strength, variable: variableOf(written) });
    }
  }
  return parts;
}

/** A URL's password, literal when written as such, a fallback when it comes from a default. */
function urlPart(written: string, mayReference = true): SecretPart | undefined {
  const creds = urlCredentials(written);
  if (!creds) return undefined;
  if (!mayReference || !hasReference(creds.password)) {
    if (isNotASecret(creds.password)) return undefined;
    return { kind: 'url', value: creds.password, origin: 'literal', user: creds.user, scheme: creds.scheme };
  }
  const fallback = urlCredentials(fallbackValue(written));
  if (!fallback || isNotASecret(fallback.password)) return undefined;
  return { kind: 'url', value: fallback.password, origin: 'fallback', user: fallback.user, scheme: fallback.scheme, variable: variableOf(creds.password) };
}

function variableOf(raw: string): string | undefined {
  return /\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw)?.[1];
}

/** A flag's argument as written: quotes removed. */
function unquote(text: string): string {
  const m = /^(["'])([\s\S]*)\1$/.exec(text);
  return m ? m[2]! : text;
}

const ARGUMENT = String.raw`("[^"]*"|'[^']*'|[^\s"';|&)]+)`;

/** Password flags of common servers and clients, with the program that makes `-p`/`-P`/`-a` a password. */
const FLAGS: readonly { flag: RegExp; needs?: RegExp }[] = [
  { flag: new RegExp(String.raw`(--(?:requirepass|masterauth|password|passwd|pass|token|api-key|apikey|secret))(?:=|\s+)${ARGUMENT}`, 'g') },
  { flag: new RegExp(String.raw`(?:^|\s)(-p)(?=[^\s-])${ARGUMENT}`, 'g'), needs: /\b(mysql|mysqladmin|mysqldump|mariadb|mariadb-admin)\b/ },
  { flag: new RegExp(String.raw`(?:^|\s)(-P)\s+${ARGUMENT}`, 'g'), needs: /\bsqlcmd\b/ },
  { flag: new RegExp(String.raw`(?:^|\s)(-a)\s+${ARGUMENT}`, 'g'), needs: /\bredis-cli\b/ },
  { flag: new RegExp(String.raw`(?:^|[\s;&|(])((?:[A-Z][A-Z0-9_]*)?(?:PASSWORD|PASSWD|TOKEN|SECRET))=${ARGUMENT}`, 'g') },
];

export interface FlagMatch extends SecretPart {
  /** Offset of the argument in the scanned text. */
  offset: number;
}

/**
 * Passwords passed on a command line (`--requirepass s3cret`, `mysqladmin -ps3cret`,
 * `sqlcmd -P s3cret`, `PGPASSWORD=s3cret psql`), plus URL credentials and tokens in it.
 */
export function secretsOfCommand(text: string): FlagMatch[] {
  const out: FlagMatch[] = [];
  for (const { flag, needs } of FLAGS) {
    if (needs && !needs.test(text)) continue;
    for (const m of text.matchAll(flag)) {
      const arg = m[2]!;
      const offset = (m.index ?? 0) + m[0].length - arg.length;
      const value = unquote(arg);
      const referenced = hasReference(value);
      // Evaluated even without a reference: `$$` is compose's escape of a runtime `$`.
      const secret = fallbackValue(value);
      if (isNotASecret(secret) || hasShellExpansion(secret)) continue;
      out.push({ kind: 'flag', value: secret, origin: referenced ? 'fallback' : 'literal', label: m[1]!, offset, variable: variableOf(value) });
    }
  }
  const url = urlPart(text);
  if (url) out.push({ ...url, offset: text.indexOf(url.value) });
  const token = findToken(text);
  if (token) out.push({ kind: 'token', value: token.token, origin: 'literal', label: token.label, offset: text.indexOf(token.token) });
  return out;
}

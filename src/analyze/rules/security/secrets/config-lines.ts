import { hasReference } from './raw-text.js';
import { secretsOfCommand, secretsOfValue, type SecretPart } from './values.js';

export interface LineSecret {
  /** The directive or key: `requirepass`, `password`, `spring.datasource.password`. */
  key: string;
  /** 1-based column of the value (its opening quote, if any). */
  column: number;
  parts: SecretPart[];
}

/** Directives whose argument is a password, whatever the file's syntax (redis, sentinel, keydb). */
const PASSWORD_DIRECTIVES = /^(\s*)(requirepass|masterauth|sentinel\s+auth-pass\s+\S+)(\s+)(\S.*?)\s*$/;
const KEY_VALUE = /^(\s*(?:-\s+)?["']?)([A-Za-z_][\w.-]*)(["']?\s*[:=]\s*)(.*?)\s*$/;

/**
 * The secret on one line of a configuration file, whatever its syntax: a password directive
 * (`requirepass`), a `key = value` / `key: value` / `"key": "value"` pair whose key names a
 * secret, or a URL with a password or a known token anywhere on the line. Comments, references
 * (`${VAR}`, `%(name)s`, `{{ template }}`) and nested structures are skipped.
 */
export function configLineSecret(line: string, fileName: string): LineSecret | undefined {
  if (/^\s*[#;]/.test(line) || line.trim() === '' || line.trim().startsWith('//')) return undefined;
  const directive = PASSWORD_DIRECTIVES.exec(line);
  if (directive) {
    const [, lead, key, gap, value] = directive as unknown as [string, string, string, string, string];
    const column = lead.length + key.length + gap.length + 1;
    const parts = secretsOfValue('password', unquoteValue(value), unquoteValue(value));
    return parts.length ? { key: key.split(/\s+/).slice(0, 2).join(' '), column: column + quoteOffset(value), parts } : undefined;
  }
  const pair = KEY_VALUE.exec(line);
  if (pair) {
    const [, lead, key, sep, rest] = pair as unknown as [string, string, string, string, string];
    const value = stripComment(rest.replace(/,$/, ''), fileName);
    if (/^[[{|>&*]/.test(value) || value === '') return undefined;
    const inner = unquoteValue(value);
    if (/%\(|\{\{|\$\{|^\$/.test(inner) || hasReference(inner)) return undefined;
    if (isRspamdPublicKey(key, inner)) return undefined;
    const parts = secretsOfValue(key, inner, inner);
    const column = lead.length + key.length + sep.length + 1 + quoteOffset(value);
    return parts.length ? { key, column, parts } : undefined;
  }
  const parts = secretsOfCommand(line).filter((p) => p.kind !== 'flag');
  const first = parts[0];
  return first ? { key: first.label ?? 'URL', column: first.offset + 1, parts } : undefined;
}

/**
 * Rspamd's `encryption_key` (fuzzy_check, its workers' clients) is the public half of the server's
 * Curve25519 keypair, written as 52 characters of rspamd's base32: the private half is `privkey`
 * inside a `keypair { }` block, which is still judged.
 */
function isRspamdPublicKey(key: string, value: string): boolean {
  return key === 'encryption_key' && /^[13-9a-km-uw-z]{52}$/.test(value);
}

function stripComment(value: string, fileName: string): string {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const close = value.indexOf(quote, 1);
    return close < 0 ? value : value.slice(0, close + 1);
  }
  const marker = /\.(ini|cnf|conf)$/i.test(fileName) ? /\s[#;]/ : /\s#/;
  const at = value.search(marker);
  return (at < 0 ? value : value.slice(0, at)).trim();
}

function unquoteValue(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value.trim());
  return m ? m[2]! : value.trim();
}

function quoteOffset(value: string): number {
  return /^["']/.test(value) ? 1 : 0;
}

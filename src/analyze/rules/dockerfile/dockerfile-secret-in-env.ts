import { keyValues } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, displayPath, dockerfilesOf } from './shared.js';

/** Name parts that mark a secret (`DB_PASSWORD`, `GITHUB_TOKEN`, `JWT_SECRET`). */
const SECRET_PARTS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PASSPHRASE', 'PWD', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATEKEY']);
/** Pairs that mark a secret key (`API_KEY`, `AWS_SECRET_ACCESS_KEY`). */
const SECRET_KEY_PREFIXES = new Set(['API', 'ACCESS', 'PRIVATE', 'SECRET', 'AUTH', 'ENCRYPTION', 'SIGNING', 'MASTER', 'LICENSE']);
/** A last part that makes the variable describe a secret rather than hold it (`TOKEN_TTL`, `PASSWORD_FILE`). */
const DESCRIPTIVE_SUFFIXES = new Set([
  'FILE', 'PATH', 'DIR', 'NAME', 'USER', 'USERNAME', 'ID', 'LENGTH', 'LEN', 'MIN', 'MAX', 'SIZE', 'TTL',
  'EXPIRY', 'EXPIRES', 'EXPIRATION', 'TIMEOUT', 'LIFETIME', 'HEADER', 'ENABLED', 'ENABLE', 'DISABLED',
  'REQUIRED', 'TYPE', 'ALGORITHM', 'FORMAT', 'PREFIX', 'HOST', 'PORT', 'URL', 'ENDPOINT', 'VERSION', 'MODE', 'POLICY',
]);
/** Values that hold no secret: flags, and references to a file holding it. */
const HARMLESS_VALUE = /^(true|false|yes|no|on|off|none|null|0|1)$|^\/|^\.{0,2}\//i;
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:([^\s/@]+)@/i;

function isSecretName(name: string): boolean {
  const parts = name.toUpperCase().split(/[_.-]+/).filter(Boolean);
  const last = parts[parts.length - 1];
  if (last === undefined || DESCRIPTIVE_SUFFIXES.has(last)) return false;
  // PWD alone is the working directory, not a password.
  if (parts.length === 1 && last === 'PWD') return false;
  return parts.some((p, i) => SECRET_PARTS.has(p) || (p === 'KEY' && i > 0 && SECRET_KEY_PREFIXES.has(parts[i - 1] as string)));
}

/** The problem with a literal value, or null when the value is no literal secret. */
function problemOf(name: string, value: string | null): string | null {
  // `$VAR` and `${VAR}` take the value from the build, not from the file.
  if (value === null || value === '' || value.includes('$')) return null;
  if (isSecretName(name) && !HARMLESS_VALUE.test(value)) return `sets ${name} to a literal value`;
  if (URL_PASSWORD.test(value)) return `puts a password in the URL of ${name}`;
  return null;
}

export default createRule({
  id: 'dockerfile-secret-in-env',
  severity: 'high',
  category: 'dockerfile',
  cis: ['4.10'],
  docs: {
    summary: 'A Dockerfile ENV or ARG gives a password, token or key a literal value.',
    why:
      'An ENV value is stored in the image configuration and an ARG default in the image history: anyone ' +
      'who can pull the image reads them with `docker inspect` or `docker history`, and they stay in the ' +
      'repository too. Rotating such a secret means rebuilding and redistributing every image.',
    fix:
      'Give secrets at run time (compose `secrets:` or an environment variable set outside the image) and, ' +
      'when the build needs one, mount it for that step only: `RUN --mount=type=secret,id=npm_token …`. ' +
      'An ARG without a default is fine for values that are not secret.',
    example: 'FROM node:20-alpine\nENV DB_PASSWORD=hunter2\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      for (const instruction of use.parsed.instructions) {
        if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') continue;
        for (const { key, value } of keyValues(instruction)) {
          const problem = problemOf(key, value);
          if (!problem) continue;
          const where = instruction.keyword === 'ENV' ? 'readable with docker inspect' : 'readable with docker history';
          findings.push(
            at(
              use,
              instruction,
              use.services[0] ?? null,
              `${displayPath(ctx, use)}: ${instruction.keyword} ${problem}: it is stored in the image, ${where}`,
              instruction.keyword === 'ENV'
                ? `remove the value from the Dockerfile and give ${key} at run time (compose secrets or environment)`
                : `declare ARG ${key} without a default, or use RUN --mount=type=secret for build-time secrets`,
            ),
          );
        }
      }
    }
    return findings;
  },
});

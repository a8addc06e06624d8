import type { RawFinding } from '../../types.js';
import { createRule } from '../create-rule.js';
import { secretCandidates, type SecretCandidate } from './secrets/candidates.js';
import { mask } from './secrets/patterns.js';
import { weakness } from './secrets/weak-passwords.js';

export default createRule({
  id: 'default-credential',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'A password is a well-known default or weak value (`admin`, `changeme`, `postgres`, `guest`…), also as the fallback of `${VAR:-default}`.',
    why:
      'Default and weak passwords are the first ones scanners and attackers try; a service reachable ' +
      'with `postgres`/`postgres` or `guest`/`guest` is open to anyone who can reach it. A weak ' +
      'fallback in `${DB_PASSWORD:-postgres}` is what a deployment silently gets when its `.env` is missing.',
    fix:
      'Generate a long random password per deployment (`openssl rand -base64 32`) and pass it through an ' +
      'untracked `.env` or a compose secret; make the variable required with `${DB_PASSWORD:?set DB_PASSWORD}` ' +
      'instead of giving it a default.',
    example: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD:-postgres}\n',
  },
  check: (ctx) => {
    const out: RawFinding[] = [];
    for (const c of secretCandidates(ctx)) {
      if (c.kind === 'token' || (c.kind === 'named' && c.strength !== 'strong')) continue;
      const reason = weakness(c.value, c.weak);
      if (reason) out.push(toFinding(c, reason));
    }
    return out;
  },
});

function toFinding(c: SecretCandidate, reason: string): RawFinding {
  // Masked like every secret (docs/rules/hardcoded-secret.md): the reason says why it is weak.
  const shown = `"${mask(c.value)}"`;
  const what = c.kind === 'url' ? `${c.subject} has the password ${shown} in its URL` : `${c.subject} uses the password ${shown}`;
  const variable = c.variable ?? 'VAR';
  const fallback = c.origin === 'fallback' ? ` as the default used when ${variable} is unset` : '';
  const place = c.path ? { path: c.path } : { at: c.at };
  return {
    ...place,
    service: c.service,
    message: `${what}${fallback}: ${reason}`,
    fix:
      c.origin === 'fallback'
        ? `remove the default and require the variable: \${${variable}:?set ${variable}}, with a long random value in an untracked .env or a secret`
        : 'use a long random password (openssl rand -base64 32) passed through an untracked .env or a compose secret',
  };
}

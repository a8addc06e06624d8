import type { ImageLayerSecret, RawFinding, RuleContext } from '../../types.js';
import { createRule } from '../create-rule.js';
import { imageFindings } from './image-vulnerability.js';
import { secretCandidates, type SecretCandidate } from './secrets/candidates.js';
import { mask } from './secrets/patterns.js';
import { isPlaceholder } from './secrets/placeholders.js';
import { weakness } from './secrets/weak-passwords.js';

export default createRule({
  id: 'hardcoded-secret',
  severity: 'high',
  category: 'security',
  docs: {
    summary:
      'A password, token or key is written literally into a compose file, an env file or a mounted configuration file; with `shipshape scan`, also into a file of an image layer.',
    why:
      'A secret in a file travels with every copy of the repository, its history, CI logs and ' +
      '`docker compose config` output; it cannot be rotated without a commit and is readable by ' +
      'anyone who can read the project. Values referenced as `${VAR}`, `*_FILE` variables and ' +
      '`/run/secrets/…` paths are not reported.',
    fix:
      'Reference a variable instead (`DB_PASSWORD: ${DB_PASSWORD}`) whose value lives in an untracked ' +
      '`.env` or the deployment environment, or better a compose secret read from `/run/secrets/<name>` ' +
      '(many images accept `<NAME>_FILE`). Rotate any secret that was committed.',
    example: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: s3cr3t-Pa55\n',
  },
  check: (ctx) => [
    ...secretCandidates(ctx)
      .filter((c) => c.origin === 'literal' && !c.ignored && !isPlaceholder(c.value) && !isDefaultCredential(c))
      .map(toFinding),
    ...imageSecretFindings(ctx),
  ],
});

/** The secrets `scan` found inside the project's images (docs/scan.md). */
export function imageSecretFindings(ctx: RuleContext): RawFinding[] {
  return imageFindings<ImageLayerSecret>(ctx, layerSecret, (found) => found.secrets);
}

/** A secret inside an image: a layer keeps it even when a later layer deleted the file (docs/scan.md). */
export function layerSecret(image: string, s: ImageLayerSecret): Omit<RawFinding, 'path' | 'service'> {
  const gone = s.removed ? ', deleted or replaced by a later layer but still in the image' : '';
  return {
    message: `image ${image}, layer ${s.layer}: ${s.path}:${s.line} contains ${s.what} ("${s.masked}")${gone}`,
    fix: 'revoke and rotate it (anyone who pulls the image can read every layer), then rebuild so that no layer holds it: pass it as a build secret (RUN --mount=type=secret) or at run time',
  };
}

/** Weak and default passwords are `default-credential`'s, reported there once. */
function isDefaultCredential(c: SecretCandidate): boolean {
  return c.kind !== 'token' && (c.kind !== 'named' || c.strength === 'strong') && weakness(c.value, c.weak) !== undefined;
}

function toFinding(c: SecretCandidate): RawFinding {
  const place = c.path ? { path: c.path } : { at: c.at };
  return { ...place, service: c.service, message: message(c), fix: fix(c) };
}

function message(c: SecretCandidate): string {
  const shown = `"${mask(c.value)}"`;
  switch (c.kind) {
    case 'token':
      return `${c.subject} contains ${c.label ?? 'a token'} (${shown})`;
    case 'url':
      return `${c.subject} has the password ${shown} written into its URL`;
    case 'flag':
      return `${c.subject} passes a hardcoded password on the command line (${c.label} ${shown})`;
    case 'named':
      return c.where === 'config-file' || c.where === 'env-file'
        ? `${c.subject} is set to a literal secret (${shown})`
        : `${c.subject} is a hardcoded secret (${shown})`;
  }
}

function fix(c: SecretCandidate): string {
  const rotate = c.kind === 'token' ? 'revoke and rotate it (it is in the repository history), then ' : '';
  switch (c.where) {
    case 'environment':
      return c.kind === 'url'
        ? `${rotate}build the URL from a variable, e.g. ${c.key}: postgres://user:\${DB_PASSWORD}@db/app, or read the password from a secret file`
        : `${rotate}write ${c.key}: \${${c.key}} and keep the value in an untracked .env, or use a compose secret (${c.key}_FILE: /run/secrets/<name> where the image supports it)`;
    case 'build-arg':
      return `${rotate}pass it as a build secret (build.secrets and RUN --mount=type=secret); build arguments stay in the image history`;
    case 'command':
      return `${rotate}read it at run time instead, e.g. from an environment variable ("$\${VAR}" in the command) filled from .env or a secret file`;
    case 'env-file':
      return `${rotate}add the file to .gitignore (commit a .env.example without values) or move the value into a compose secret`;
    case 'config-file':
      return `${rotate}keep the password out of the mounted file: mount the file itself as a compose secret, or generate it at start from a secret`;
  }
}

import { resolve } from 'node:path';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { diagnosticFindings, displayPath, isRecord, listOf, type RawFinding, type RuleContext } from './shared.js';

export default createRule({
  id: 'missing-file-reference',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary:
      'A file the project names does not exist: an `env_file`, the `file:` of a top-level secret or config, a ' +
      '`label_file`, or a compose file pulled in by `include` or `extends`.',
    why:
      'Compose stops with "file not found" when it loads the project or creates the containers, so the service ' +
      'never starts; a secret or config without its file leaves the service without its credential or configuration.',
    fix:
      'Create the file (for secrets: outside version control, e.g. generated at deploy time), correct the path, or ' +
      'mark an optional env file `required: false`.',
    example: 'services:\n  api:\n    image: api:1.0\n    env_file: ./config/api.env\n    secrets: [db_password]\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n',
  },
  check: (ctx) => [...fromLoader(ctx), ...objectFiles(ctx), ...labelFiles(ctx)],
});

/** The loader reports missing env files and compose files referenced from a compose file (those have a line). */
function fromLoader(ctx: RuleContext): RawFinding[] {
  return diagnosticFindings(ctx, ['file-not-found'], (d) => {
    if (d.line === 0) return null;
    // The deploy host's env files (`/etc/app.env`) are not judged by this machine: `exists` says so.
    const envFile = /^env file (.+) not found\./.exec(d.message)?.[1];
    if (envFile !== undefined && ctx.exists(envFile)) return null;
    const message = d.message.replaceAll(`${ctx.dir}/`, '');
    const isEnvFile = d.message.startsWith('env file');
    return {
      message,
      fix: isEnvFile
        ? 'create the env file, correct the path, or mark it optional: `env_file: [{path: …, required: false}]`'
        : 'create the compose file or correct the path',
    };
  });
}

function objectFiles(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [name, object] of Object.entries(ctx.project[kind])) {
      if (!isRecord(object) || typeof object.file !== 'string' || object.external === true || ctx.exists(object.file)) continue;
      const users = services(ctx)
        .filter(([, s]) => listOf(s[kind]).some((ref) => ref.source === name))
        .map(([n]) => `"${n}"`);
      const usedBy = users.length > 0 ? `; ${users.join(', ')} cannot start without it` : '';
      out.push({
        path: [kind, name, 'file'],
        service: null,
        message: `${kind.slice(0, -1)} "${name}" reads ${displayPath(ctx, object.file)}, which does not exist${usedBy}`,
        fix:
          kind === 'secrets'
            ? `create ${displayPath(ctx, object.file)} at deploy time (keep it out of version control), or use \`environment:\` or \`external: true\``
            : `create ${displayPath(ctx, object.file)} or correct the path`,
      });
    }
  }
  return out;
}

function labelFiles(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  for (const [name, service] of services(ctx)) {
    const files = Array.isArray(service.label_file) ? service.label_file : typeof service.label_file === 'string' ? [service.label_file] : [];
    files.forEach((written, i) => {
      if (typeof written !== 'string') return;
      // A single label_file is not resolved by the loader (only list items are).
      const file = resolve(ctx.project.working_dir, written);
      if (ctx.exists(file)) return;
      out.push({
        path: ['services', name, 'label_file', ...(Array.isArray(service.label_file) ? [i] : [])],
        message: `service "${name}" reads labels from ${displayPath(ctx, file)}, which does not exist`,
        fix: `create ${displayPath(ctx, file)} or correct the path`,
      });
    });
  }
  return out;
}

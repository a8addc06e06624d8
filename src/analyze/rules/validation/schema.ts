import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { diagnosticFindings, hasProjectDotenv, type Diagnostic, type RawFinding, type RuleContext } from './shared.js';

const SPEC = 'https://docs.docker.com/reference/compose-file/';

function fixFor(d: Diagnostic): string | null {
  switch (d.code) {
    case 'schema': {
      const extra = /additional property "([^"]+)" is not allowed/.exec(d.message)?.[1];
      if (extra) return `remove "${extra}" or correct its spelling; custom keys must start with "x-"`;
      return `write the value as the compose specification describes it (${SPEC})`;
    }
    case 'invalid-value':
      return `write the value in a syntax compose accepts (${SPEC})`;
    case 'extends':
      return 'point `extends` at a service that exists (and `file:` at the file that defines it)';
    case 'extends-cycle':
      return 'remove one `extends` of the cycle';
    case 'include':
      return 'give the include entry the path of an existing compose file and remove include cycles';
    case 'include-conflict':
      return 'rename one of the two definitions, or keep it only in the included project';
    case 'interpolation':
      return d.message.includes('$$') ? 'write `$$` for a literal `$`' : 'set the required variable in the environment or in .env';
    case 'profile':
      return 'activate the profile, or mark the dependency `required: false`';
    case 'env-file':
      return 'write each line of the env file as KEY=VALUE';
  }
  return null;
}

/**
 * `${VAR:?message}` is the author requiring the deployer to set VAR: in a project without a `.env`
 * of its own, the analyzing machine lacking it is the design working, not a broken file
 * (docs/rules/schema.md).
 */
function deployTimeRequirement(ctx: RuleContext, d: Diagnostic): { severity?: 'low'; message?: string } {
  if (d.code !== 'interpolation' || !/required variable \S+ is missing a value/.test(d.message) || hasProjectDotenv(ctx)) return {};
  return { severity: 'low', message: `${d.message} (the project has no .env: the host that deploys it must set it)` };
}

/**
 * Two services with one `container_name`: `docker compose config` and `up` refuse the project
 * (compose-go's container name unicity check), although the schema accepts each file.
 */
function duplicateContainerNames(ctx: RuleContext): RawFinding[] {
  const owners = new Map<string, string>();
  const out: RawFinding[] = [];
  for (const [name, service] of services(ctx)) {
    const containerName = service.container_name;
    if (typeof containerName !== 'string' || containerName === '') continue;
    const owner = owners.get(containerName);
    if (owner === undefined) {
      owners.set(containerName, name);
      continue;
    }
    out.push({
      path: ['services', name, 'container_name'],
      service: name,
      message: `services.${name}: container name "${containerName}" is already in use by service "${owner}"; compose refuses the project`,
      fix: `give service "${name}" a container_name of its own, or remove container_name and let compose name the container`,
    });
  }
  return out;
}

export default createRule({
  id: 'schema',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary:
      'The project does not follow the compose specification: unknown keys, wrong types, malformed ports or volumes, ' +
      'broken `extends` or `include`, a required variable without a value, a disabled required service, a bad env file, ' +
      'two services with the same `container_name`.',
    why:
      '`docker compose` validates the merged project before it does anything; any of these stops `up`, `config` and ' +
      '`pull` with an error, so nothing of the project is deployed.',
    fix: 'Correct the value at the reported place as the message says; check with `docker compose config --quiet`.',
    example: 'services:\n  web:\n    image: nginx:1.27\n    restart: sometimes\n    prots: ["80:80"]\n',
  },
  check: (ctx) => [
    ...diagnosticFindings(
      ctx,
      ['schema', 'invalid-value', 'extends', 'extends-cycle', 'include', 'include-conflict', 'interpolation', 'profile', 'env-file'],
      (d) => ({ fix: fixFor(d), ...deployTimeRequirement(ctx, d) }),
    ),
    ...duplicateContainerNames(ctx),
  ],
});

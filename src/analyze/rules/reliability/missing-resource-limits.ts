import type { CisId } from '../../cis/index.js';
import type { Service } from '../../../compose/index.js';
import type { RawFinding } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { servicePath } from './shared.js';

export default createRule({
  id: 'missing-resource-limits',
  severity: 'medium',
  category: 'reliability',
  cis: ['5.11', '5.12', '5.29'],
  docs: {
    summary: 'A service has no memory, CPU or process (pids) limit.',
    why:
      'Without limits one leaking or overloaded container takes all memory (the kernel then kills ' +
      'whatever it chooses, often another service), all CPU, or forks until the host runs out of ' +
      'process ids. Limits keep a failure inside the container that caused it.',
    fix:
      'Set `deploy.resources.limits` (`memory`, `cpus`, `pids`), or the service-level `mem_limit`, ' +
      '`cpus` and `pids_limit`, sized from the service\'s observed peak with some headroom.',
    example: 'services:\n  api:\n    image: api:1.4\n',
  },
  check: (ctx) => {
    const out: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const missing = missingLimits(service);
      if (missing.length === 0) continue;
      const hasLimits = service.deploy?.resources?.limits !== undefined;
      out.push({
        path: hasLimits ? ['services', name, 'deploy', 'resources', 'limits'] : servicePath(name),
        message: `service "${name}" has no ${list(missing.map((m) => m.what))} limit: a runaway container can starve the host and the other services`,
        fix: `add ${missing.map((m) => m.example).join(', ')} under deploy.resources.limits (or ${missing.map((m) => m.alternative).join(', ')} on the service)`,
        cis: missing.map((m) => m.cis),
      });
    }
    return out;
  },
});

interface Missing {
  what: string;
  cis: CisId;
  example: string;
  alternative: string;
}

function missingLimits(service: Service): Missing[] {
  const limits = service.deploy?.resources?.limits ?? {};
  const out: Missing[] = [];
  if (!isSet(limits.memory) && !isSet(service['mem_limit'])) out.push({ what: 'memory', cis: '5.11', example: 'memory: 512M', alternative: 'mem_limit' });
  if (!isSet(limits.cpus) && !isSet(service['cpus'])) out.push({ what: 'CPU', cis: '5.12', example: 'cpus: "1.0"', alternative: 'cpus' });
  if (!isSet(limits.pids) && !isSet(service['pids_limit'])) out.push({ what: 'pids', cis: '5.29', example: 'pids: 256', alternative: 'pids_limit' });
  return out;
}

/** 0, -1 and empty mean "unlimited" to the engine. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const text = String(value).trim();
  return text !== '' && !/^(0+(\.0*)?|-1)$/.test(text);
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

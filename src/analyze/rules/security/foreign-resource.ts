import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { writtenText } from '../../source-text.js';
import type { RuleContext } from '../../types.js';
import { listOf } from './shared.js';

export default createRule({
  id: 'foreign-resource',
  severity: 'critical',
  category: 'security',
  docs: {
    summary:
      'The stack uses a volume or network it does not own: one declared `external`, one given a fixed `name:` ' +
      'outside the stack\'s own names (any fixed name, for a deploy to a host), another container\'s volumes ' +
      '(`volumes_from: container:<name>`), or a link to another container (`external_links`).',
    why:
      'An external volume holds another workload\'s data, and an external network puts the stack next to ' +
      'another workload\'s services; a fixed `name:` makes the engine reuse whatever already exists under that ' +
      'name. On a shared host that is someone else\'s database or private network. A remote deploy refuses it ' +
      'whatever the grade; a local report grades it (external volume high, external network medium, a fixed ' +
      'name low), since locally sharing a proxy network is often deliberate.',
    fix:
      'Let the stack create its own volumes and networks (no `external`, no fixed `name:`); exchange data with ' +
      'other workloads through their APIs. When a site really shares one, the operator allows the rule.',
    example: 'services:\n  app:\n    image: app:1.0\n    volumes:\n      - billing:/data\nvolumes:\n  billing:\n    external: true\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const prefixes = [`${ctx.project.name}_`, `${ctx.project.name}-`];
    for (const [section, what] of [
      ['volumes', 'volume'],
      ['networks', 'network'],
    ] as const) {
      for (const [key, config] of Object.entries(ctx.project[section] ?? {})) {
        if (!config || typeof config !== 'object') continue;
        const name = typeof config.name === 'string' ? config.name : undefined;
        if (config.external === true) {
          findings.push({
            path: [section, key, 'external'],
            service: null,
            severity: section === 'volumes' ? 'high' : 'medium',
            message: `the ${what} "${key}" is external${name ? ` (${name})` : ''}: it belongs to another workload, not to this stack`,
            fix: `let the stack create its own ${what} (remove external)`,
          });
        } else if (name !== undefined && (ctx.untrusted ? !isDefaultName(ctx, section, key, name) : !prefixes.some((p) => name.startsWith(p)))) {
          // A deployed package runs under the stack name it is given, not the `name:` it writes,
          // so a prefix it chose proves nothing (`name: shop` + `shop_db` is the shop stack's data).
          findings.push({
            path: [section, key, 'name'],
            service: null,
            severity: 'low',
            message: `the ${what} "${key}" has the fixed name "${name}": whatever ${what} already has that name on the host is used${ctx.untrusted ? ', whichever stack it belongs to' : ''}`,
            fix: `remove name: so the ${what} is named after the stack`,
          });
        }
      }
    }
    const own = new Set([...Object.keys(ctx.project.services), ...Object.keys(ctx.project.disabled_services)]);
    for (const [name, service] of services(ctx)) {
      listOf(service['volumes_from'] as string[] | undefined).forEach((entry, i) => {
        const m = typeof entry === 'string' ? /^(container:|service:)?([^:]+)/.exec(entry.trim()) : null;
        // A bare name is a service of the stack; naming none, it is another container's.
        if (!m?.[2] || (m[1] !== 'container:' && own.has(m[2]))) return;
        findings.push({
          path: ['services', name, 'volumes_from', i],
          message: `service "${name}" mounts the volumes of ${m[1] === 'container:' ? 'the container ' : ''}"${m[2]}", which is not part of this stack`,
          fix: 'take volumes only from services of this stack (`volumes_from: [<service>]`)',
        });
      });
      listOf(service['external_links'] as string[] | undefined).forEach((entry, i) => {
        const container = typeof entry === 'string' ? entry.trim().split(':')[0] : undefined;
        if (!container) return;
        findings.push({
          path: ['services', name, 'external_links', i],
          message: `service "${name}" links to the container "${container}", which is not part of this stack (external_links)`,
          fix: 'link only services of this stack (`links:`), or reach the other workload through its published API',
        });
      });
    }
    return findings;
  },
});

/**
 * The name the loader gave a volume or network the file does not name (`<project>_<key>`): the
 * engine names it after the stack. Anything written — literally, by interpolation or an alias —
 * is a fixed name.
 */
function isDefaultName(ctx: RuleContext, section: 'volumes' | 'networks', key: string, name: string): boolean {
  if (name !== `${ctx.project.name}_${key}`) return false;
  const written = writtenText(ctx, [section, key, 'name']);
  return written === undefined || !written.startsWith(name);
}

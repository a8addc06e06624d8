import { stringify } from 'yaml';
import type { Project } from '../compose/index.js';

/**
 * The resolved project in `docker compose config`'s shape: name, then the sections, services in
 * name order with their keys sorted, empty sections left out. Like compose, every `$` of a value is
 * written `$$`, so the output loads back to the same values instead of being interpolated again.
 */
export function renderConfig(project: Project, format: 'yaml' | 'json'): string {
  const doc = escapeDollars(configDocument(project)) as Record<string, unknown>;
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

function configDocument(project: Project): Record<string, unknown> {
  const doc: Record<string, unknown> = { name: project.name };
  const services = Object.fromEntries(
    Object.keys(project.services)
      .sort()
      .map((name) => {
        const { name: _name, ...service } = project.services[name]!;
        return [name, sortKeys(service)];
      }),
  );
  doc.services = services;
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (Object.keys(project[section]).length > 0) doc[section] = sortKeys(project[section]);
  }
  Object.assign(doc, project.extensions);
  return doc;
}

function escapeDollars(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map(escapeDollars);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)]));
  return value;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
}

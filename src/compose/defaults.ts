import { basename } from 'node:path';
import { get, getString, isMap, mapNode, scalarNode, type MapNode } from './node.js';

/** Compose's project name rules: lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

export function projectNameFor(
  explicit: string | undefined,
  tree: MapNode,
  fromEnv: string | undefined,
  projectDir: string,
): string {
  return normalizeProjectName(explicit ?? getString(tree, 'name') ?? fromEnv ?? basename(projectDir)) || 'default';
}

/**
 * The values `docker compose config` shows that nobody wrote: the default network, resource
 * names prefixed with the project, the Dockerfile of a build. Each is located at what it derives from.
 */
export function applyDefaults(tree: MapNode, projectName: string): void {
  tree.entries.set('name', { keyPos: tree.pos, value: scalarNode(tree.pos, projectName) });
  const services = get(tree, 'services');
  let usesDefaultNetwork = false;
  if (isMap(services)) {
    for (const entry of services.entries.values()) {
      const service = entry.value;
      if (!isMap(service)) continue;
      if (!service.entries.has('networks') && !service.entries.has('network_mode')) {
        const networks = mapNode(entry.keyPos);
        networks.entries.set('default', { keyPos: entry.keyPos, value: scalarNode(entry.keyPos, null) });
        service.entries.set('networks', { keyPos: entry.keyPos, value: networks });
      }
      if (isMap(get(service, 'networks')) && (get(service, 'networks') as MapNode).entries.has('default')) {
        usesDefaultNetwork = true;
      }
      const build = get(service, 'build');
      if (isMap(build) && !build.entries.has('dockerfile') && !build.entries.has('dockerfile_inline')) {
        build.entries.set('dockerfile', { keyPos: build.pos, value: scalarNode(build.pos, 'Dockerfile') });
      }
    }
  }
  if (usesDefaultNetwork) ensureSection(tree, 'networks').entries.set('default', {
    keyPos: tree.pos,
    value: (get(get(tree, 'networks'), 'default') as MapNode | undefined) ?? mapNode(tree.pos),
  });
  for (const section of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    const objects = get(tree, section);
    if (!isMap(objects)) continue;
    for (const [key, entry] of objects.entries) {
      if (!isMap(entry.value)) entry.value = mapNode(entry.keyPos);
      const obj = entry.value;
      if (obj.entries.has('name')) continue;
      const external = get(obj, 'external');
      const isExternal = external?.kind === 'scalar' && external.value === true;
      const name = isExternal ? key : `${projectName}_${key}`;
      obj.entries.set('name', { keyPos: entry.keyPos, value: scalarNode(entry.keyPos, name) });
    }
  }
}

function ensureSection(tree: MapNode, section: string): MapNode {
  const existing = get(tree, section);
  if (isMap(existing)) return existing;
  const created = mapNode(tree.pos);
  tree.entries.set(section, { keyPos: tree.pos, value: created });
  return created;
}

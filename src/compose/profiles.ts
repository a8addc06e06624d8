import { diagnostic, type Diagnostic } from './diagnostics.js';
import { get, isMap, type MapNode } from './node.js';

/**
 * Which services profiles leave out. A service without `profiles` is always on; `*` turns every
 * profile on. An enabled service that requires a disabled one is an error, as in compose.
 */
export function disabledByProfiles(tree: MapNode, active: readonly string[], diagnostics: Diagnostic[]): Set<string> {
  const disabled = new Set<string>();
  const services = get(tree, 'services');
  if (!isMap(services)) return disabled;
  const all = active.includes('*');
  for (const [name, entry] of services.entries) {
    const profiles = get(entry.value, 'profiles');
    if (profiles?.kind !== 'seq' || profiles.items.length === 0) continue;
    const names = profiles.items.map((p) => (p.kind === 'scalar' ? String(p.value) : ''));
    if (!all && !names.some((p) => active.includes(p))) disabled.add(name);
  }
  for (const [name, entry] of services.entries) {
    if (disabled.has(name)) continue;
    const deps = get(entry.value, 'depends_on');
    if (!isMap(deps)) continue;
    for (const [dep, d] of deps.entries) {
      const required = get(d.value, 'required');
      if (!disabled.has(dep) || (required?.kind === 'scalar' && required.value === false)) continue;
      const profiles = get(get(services, dep), 'profiles');
      const list = profiles?.kind === 'seq' ? profiles.items.map((p) => (p.kind === 'scalar' ? String(p.value) : '')) : [];
      diagnostics.push(
        diagnostic(
          'profile',
          `service "${name}" depends on "${dep}", which only runs with profile ${list.map((p) => `"${p}"`).join(' or ')}; ` +
            `activate it with --profile ${list[0] ?? ''} or mark the dependency "required: false"`,
          d.keyPos,
        ),
      );
    }
  }
  return disabled;
}

/** `--profile` values plus COMPOSE_PROFILES (comma-separated), as compose reads them. */
export function activeProfiles(cli: readonly string[], fromEnv: string | undefined): string[] {
  const env = (fromEnv ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return [...new Set([...cli, ...env])];
}

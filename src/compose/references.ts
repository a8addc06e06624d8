import { diagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { get, getString, isMap, isSeq, type MapNode } from './node.js';

/**
 * References between parts of the merged project that compose refuses when they dangle: a
 * service's networks, named volumes, secrets, configs and dependencies must be declared.
 */
export function checkReferences(tree: MapNode, disabled: ReadonlySet<string>, diagnostics: Diagnostic[]): void {
  const services = get(tree, 'services');
  if (!isMap(services)) return;
  const declared = (section: string): Set<string> => {
    const m = get(tree, section);
    return new Set(isMap(m) ? m.entries.keys() : []);
  };
  const networks = declared('networks');
  const volumes = declared('volumes');
  const secrets = declared('secrets');
  const configs = declared('configs');
  const report = (code: DiagnosticCode, message: string, at: { file: string; line: number; column: number }) =>
    diagnostics.push(diagnostic(code, message, at));

  for (const [name, entry] of services.entries) {
    const service = entry.value;
    if (!isMap(service) || disabled.has(name)) continue;
    if (!service.entries.has('image') && !service.entries.has('build')) {
      report('invalid-value', `service "${name}" has neither an image nor a build context; add image: or build:`, entry.keyPos);
    }
    const serviceNetworks = get(service, 'networks');
    for (const [net, e] of isMap(serviceNetworks) ? serviceNetworks.entries : []) {
      if (!networks.has(net)) {
        report('undefined-network', `service "${name}" uses network "${net}", which is not declared under the top-level "networks"`, e.keyPos);
      }
    }
    const mounts = get(service, 'volumes');
    for (const mount of isSeq(mounts) ? mounts.items : []) {
      const source = getString(mount, 'source');
      if (getString(mount, 'type') === 'volume' && source && !volumes.has(source)) {
        report('undefined-volume', `service "${name}" mounts volume "${source}", which is not declared under the top-level "volumes"`, mount.pos);
      }
    }
    for (const [kind, known, code] of [
      ['secrets', secrets, 'undefined-secret'],
      ['configs', configs, 'undefined-config'],
    ] as const) {
      const refs = get(service, kind);
      for (const ref of isSeq(refs) ? refs.items : []) {
        const source = getString(ref, 'source');
        if (source && !known.has(source)) {
          report(code, `service "${name}" uses ${kind.slice(0, -1)} "${source}", which is not declared under the top-level "${kind}"`, ref.pos);
        }
      }
    }
    const deps = get(service, 'depends_on');
    for (const [dep, e] of isMap(deps) ? deps.entries : []) {
      // An optional dependency (`required: false`) on a missing service is dropped by compose, silently.
      if (!services.entries.has(dep) && getString(e.value, 'required') !== 'false') {
        report('unknown-dependency', `service "${name}" depends on "${dep}", which is not a service of this project`, e.keyPos);
      }
    }
    const mode = getString(service, 'network_mode');
    if (mode?.startsWith('service:') && !services.entries.has(mode.slice(8))) {
      report('unknown-dependency', `service "${name}" uses network_mode "${mode}", but "${mode.slice(8)}" is not a service of this project`, service.entries.get('network_mode')!.value.pos);
    }
    // Not a reference, but compose refuses it in the same consistency check.
    if (mode !== undefined && isMap(serviceNetworks) && serviceNetworks.entries.size > 0) {
      report('invalid-value', `service "${name}" sets both network_mode and networks, which exclude each other; keep one`, service.entries.get('network_mode')!.value.pos);
    }
  }
}

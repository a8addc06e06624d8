import { diagnostic, type Diagnostic } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { readGuarded, type FileGuard } from './confine.js';
import type { Lookup } from './interpolate.js';
import { get, getString, isMap, isSeq, mapNode, scalarNode, type MapEntry, type MapNode } from './node.js';

/**
 * Resolves each service's `env_file` entries and value-less `environment` keys into the one
 * `environment` mapping the container gets: env files in order, then `environment` on top.
 * Values from an env file keep that file's line as their position.
 */
export function resolveServiceEnvironment(tree: MapNode, lookup: Lookup, diagnostics: Diagnostic[], guard?: FileGuard): void {
  const services = get(tree, 'services');
  if (!isMap(services)) return;
  for (const entry of services.entries.values()) {
    const service = entry.value;
    if (!isMap(service)) continue;
    resolveBuildArgs(service, lookup);
    const envFiles = get(service, 'env_file');
    const declared = get(service, 'environment');
    if (!isSeq(envFiles) && !isMap(declared)) continue;
    const merged = new Map<string, MapEntry>();
    for (const ref of isSeq(envFiles) ? envFiles.items : []) {
      const path = getString(ref, 'path');
      if (!path) continue;
      const { text, refused } = readGuarded(path, guard, ref.pos, diagnostics);
      if (text === undefined) {
        if (!refused && getString(ref, 'required') !== 'false') {
          diagnostics.push(
            diagnostic('file-not-found', `env file ${path} not found. Create it or mark it "required: false".`, ref.pos),
          );
        }
        continue;
      }
      const parsed = parseDotenv(text, lookup);
      for (const issue of parsed.issues) {
        diagnostics.push(diagnostic('env-file', issue.message, { file: path, line: issue.line, column: issue.column }));
      }
      for (const [k, v] of parsed.values) {
        const pos = { file: path, line: parsed.lines.get(k) ?? 0, column: 1 };
        merged.set(k, { keyPos: pos, value: scalarNode(pos, v) });
      }
    }
    for (const [k, e] of isMap(declared) ? declared.entries : []) {
      const isUnset = e.value.kind === 'scalar' && e.value.value === null;
      const fromEnv = isUnset ? lookup(k) : undefined;
      if (isUnset && fromEnv === undefined && merged.has(k)) continue;
      merged.set(k, fromEnv === undefined ? e : { keyPos: e.keyPos, value: scalarNode(e.value.pos, fromEnv) });
    }
    const pos = declared?.pos ?? envFiles?.pos ?? service.pos;
    const existing = service.entries.get('environment');
    service.entries.set('environment', { keyPos: existing?.keyPos ?? pos, value: mapNode(pos, merged) });
  }
}

/**
 * A build argument without a value (`- VERSION`, `VERSION:`) takes the environment's value, and is
 * left out when the environment has none, as compose does (the Dockerfile's default then applies).
 */
function resolveBuildArgs(service: MapNode, lookup: Lookup): void {
  const args = get(get(service, 'build'), 'args');
  if (!isMap(args)) return;
  for (const [key, e] of [...args.entries]) {
    if (e.value.kind !== 'scalar' || e.value.value !== null) continue;
    const value = lookup(key);
    if (value === undefined) args.entries.delete(key);
    else e.value = scalarNode(e.value.pos, value);
  }
}

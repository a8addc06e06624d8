import type { LoadResult, Project, Service } from '../compose/index.js';
import { emptyProject, runRules } from './analyze.js';
import { buildContext } from './context.js';
import { findRule, type RuleId } from './rules/index.js';
import type { Finding, Rule } from './types.js';

/**
 * The analyzer's rules that mean the same on a running container as on a compose file: what a
 * container may do to its host (docs/posture.md). Rules about files, builds, images' own
 * Dockerfiles or the project's graph say nothing about a container that already runs.
 */
export const RUNTIME_RULES = [
  'privileged',
  'docker-socket-mount',
  'sensitive-host-mount',
  'host-device',
  'host-namespace',
  'dangerous-capability',
  'root-user',
  'unbound-port-interface',
  'missing-resource-limits',
] as const satisfies readonly RuleId[];

/** No such folder: every host path a container mounts is the host's, never read or judged as part of a project. */
const NO_PROJECT_DIR = '/nonexistent/shipshape-runtime';

/**
 * Runs the runtime rules on services that describe running containers (one service per
 * container, as the agent reads them from `docker inspect`). Findings are not located in any
 * file (`file` is empty, `line` 0); `service` is the key the caller gave.
 */
export function checkRunning(services: Record<string, Service>): Finding[] {
  const project: Project = { ...emptyProject(NO_PROJECT_DIR, []), name: 'runtime', services };
  const load: LoadResult & { project: Project } = { project, diagnostics: [], sourceMap: new Map(), positionOf: () => undefined };
  const ctx = buildContext({ dir: NO_PROJECT_DIR, environment: { name: 'runtime', files: [] }, load });
  const rules = RUNTIME_RULES.map((id) => findRule(id)).filter((r): r is Rule => r !== undefined);
  return runRules(ctx, rules, { rules: new Map() }, { inlineIgnores: false });
}

import { diagnostic, type Diagnostic } from './diagnostics.js';
import { interpolate, type Lookup } from './interpolate.js';
import type { Node, Scalar, ScalarNode } from './node.js';
import { findRule, type PathPattern } from './paths.js';

type Cast = (text: string) => Scalar | undefined;

const toInt: Cast = (t) => (/^[-+]?\d+$/.test(t.trim()) ? Number.parseInt(t, 10) : undefined);
const toFloat: Cast = (t) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : undefined);
const toBool: Cast = (t) => {
  const v = t.trim().toLowerCase();
  if (['true', 'yes', 'y', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'n', 'off', '0'].includes(v)) return false;
  return undefined;
};

/**
 * After interpolation every value is text; these paths hold numbers or booleans in the schema, so
 * interpolated text there is cast back (compose-go keeps the same table).
 */
export const CASTS: readonly (readonly [PathPattern, Cast])[] = [
  ['services.*.configs.*.mode', toInt],
  ['services.*.secrets.*.mode', toInt],
  ['services.*.cpu_count', toInt],
  ['services.*.cpu_percent', toFloat],
  ['services.*.cpu_period', toInt],
  ['services.*.cpu_quota', toInt],
  ['services.*.cpu_rt_period', toInt],
  ['services.*.cpu_rt_runtime', toInt],
  ['services.*.cpus', toFloat],
  ['services.*.cpu_shares', toInt],
  ['services.*.init', toBool],
  ['services.*.deploy.replicas', toInt],
  ['services.*.deploy.update_config.parallelism', toInt],
  ['services.*.deploy.update_config.max_failure_ratio', toFloat],
  ['services.*.deploy.rollback_config.parallelism', toInt],
  ['services.*.deploy.rollback_config.max_failure_ratio', toFloat],
  ['services.*.deploy.restart_policy.max_attempts', toInt],
  ['services.*.deploy.placement.max_replicas_per_node', toInt],
  ['services.*.deploy.resources.limits.cpus', toFloat],
  ['services.*.deploy.resources.reservations.cpus', toFloat],
  ['services.*.deploy.resources.limits.pids', toInt],
  ['services.*.healthcheck.retries', toInt],
  ['services.*.healthcheck.disable', toBool],
  ['services.*.oom_kill_disable', toBool],
  ['services.*.oom_score_adj', toInt],
  ['services.*.pids_limit', toInt],
  ['services.*.ports.*.target', toInt],
  ['services.*.privileged', toBool],
  ['services.*.read_only', toBool],
  ['services.*.scale', toInt],
  ['services.*.stdin_open', toBool],
  ['services.*.tty', toBool],
  ['services.*.ulimits.*', toInt],
  ['services.*.ulimits.*.hard', toInt],
  ['services.*.ulimits.*.soft', toInt],
  ['services.*.volumes.*.read_only', toBool],
  ['services.*.volumes.*.volume.nocopy', toBool],
  ['services.*.depends_on.*.required', toBool],
  ['services.*.depends_on.*.restart', toBool],
  ['services.*.env_file.*.required', toBool],
  ['networks.*.external', toBool],
  ['networks.*.internal', toBool],
  ['networks.*.attachable', toBool],
  ['networks.*.enable_ipv6', toBool],
  ['volumes.*.external', toBool],
  ['secrets.*.external', toBool],
  ['configs.*.external', toBool],
];

export interface InterpolationOptions {
  lookup: Lookup;
  /** Unset variables already warned about, so a variable used ten times is reported once per file. */
  warned?: Set<string>;
}

/** Interpolates every string value of a file's tree in place, casting by path. */
export function interpolateTree(root: Node, options: InterpolationOptions, diagnostics: Diagnostic[]): void {
  const warned = options.warned ?? new Set<string>();
  const visit = (n: Node, path: string[]): void => {
    if (n.kind === 'map') {
      for (const [k, e] of n.entries) {
        path.push(k);
        visit(e.value, path);
        path.pop();
      }
    } else if (n.kind === 'seq') {
      n.items.forEach((item, i) => {
        path.push(String(i));
        visit(item, path);
        path.pop();
      });
    } else if (typeof n.value === 'string' && n.value.includes('$')) {
      interpolateScalar(n, path, options.lookup, warned, diagnostics);
    }
  };
  visit(root, []);
}

function interpolateScalar(
  n: ScalarNode,
  path: string[],
  lookup: Lookup,
  warned: Set<string>,
  diagnostics: Diagnostic[],
): void {
  const text = n.value as string;
  const result = interpolate(text, lookup);
  const where = path.join('.');
  for (const issue of result.issues) {
    const message =
      issue.kind === 'required'
        ? `${where}: ${issue.message}. Set it in the environment or in .env.`
        : `${where}: ${issue.message}. Write $$ for a literal $.`;
    diagnostics.push(diagnostic('interpolation', message, n.pos));
  }
  for (const name of result.unset) {
    if (warned.has(name)) continue;
    warned.add(name);
    diagnostics.push(
      diagnostic(
        'unset-variable',
        `the "${name}" variable is not set; ${where} defaults to a blank string. Set it or give a default: \${${name}:-value}`,
        n.pos,
        { severity: 'warning' },
      ),
    );
  }
  if (!result.changed) return;
  n.value = result.value;
  const cast = findRule(CASTS, path);
  if (cast) {
    const v = cast(result.value);
    if (v !== undefined) n.value = v;
  }
}

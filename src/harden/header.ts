import { basename, relative } from 'node:path';
import type { HardenTarget } from './target.js';
import type { HardenPlan } from './types.js';

/** The overlay's opening comment: how to use it, what it left out and why, what it needs. */
export function overlayHeader(plan: HardenPlan, target: HardenTarget, overlayPath: string, verified: boolean): string[] {
  const files = target.files.map((f) => `-f ${relative(target.dir, f) || basename(f)}`).join(' ');
  const lines = [
    `Hardened overlay written by \`shipshape harden\`${verified ? ' and proven by --verify on the local engine' : ''}.`,
    `Use it after the project's files: docker compose ${files} -f ${basename(overlayPath)} up -d`,
    'Each change names the findings it fixes (`shipshape analyze --explain RULE`); see docs/harden.md.',
  ];
  const skipped = Object.values(plan.services).flatMap((s) => s.skipped.map((k) => `  ${s.name}: ${k.kind}: ${k.reason}`));
  if (skipped.length > 0) lines.push('', 'Not applied:', ...skipped);
  const files2 = Object.entries(plan.secrets).filter(([, s]) => s.file.startsWith('./secrets/'));
  if (files2.length > 0) lines.push('', `Secret files to create before deploying: ${files2.map(([, s]) => s.file).join(', ')}`, '  shipshape secrets generate creates them (random values, mode 0600).');
  if (plan.requiredVariables.length > 0) lines.push('', `Variables to set in an untracked .env: ${plan.requiredVariables.join(', ')}`);
  return lines;
}

import { programWords, runCommands, runScript, verbIndex, type Instruction } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, displayPath, dockerfilesOf, quoteInstruction, shippedStages } from './shared.js';

const APT = new Set(['apt-get', 'apt']);
const UPGRADES = new Set(['upgrade', 'dist-upgrade', 'full-upgrade']);
const NO_RECOMMENDS = /Install-Recommends\W+(false|0|no)\b/i;
const REMOVES_LISTS = /\brm\s[^;&|\n]*\/var\/lib\/apt\/lists/;

/** `apt-get`/`apt` commands of a RUN as [verb, words]. */
function aptCommands(run: Instruction): { verb: string; words: string[] }[] {
  return runCommands(run)
    .map(programWords)
    .filter((words) => APT.has(words[0] ?? ''))
    .map((words) => ({ verb: words[verbIndex(words)] ?? '', words }));
}

/** A cache or tmpfs mount on /var/lib/apt keeps the package lists out of the layer. */
function mountsAptLists(run: Instruction): boolean {
  return run.flags.some((f) => {
    if (f.name !== 'mount' || !f.value) return false;
    const options = new Map(f.value.split(',').map((o) => o.split('=', 2) as [string, string | undefined]));
    const target = options.get('target') ?? options.get('dst') ?? options.get('destination') ?? '';
    return ['cache', 'tmpfs'].includes(options.get('type') ?? '') && /^\/var\/lib\/apt(\/lists)?\/?$/.test(target);
  });
}

export default createRule({
  id: 'dockerfile-apt-hygiene',
  severity: 'medium',
  category: 'dockerfile',
  cis: ['4.7'],
  docs: {
    summary: 'A RUN uses apt-get carelessly: installs recommended packages, keeps the package lists, upgrades the base, or updates in a RUN of its own.',
    why:
      'Recommended packages and the `/var/lib/apt/lists` cache make images larger and widen the attack ' +
      'surface for nothing. `apt-get upgrade` makes builds unreproducible and hides that the base image ' +
      'itself is outdated. An `apt-get update` in its own RUN is cached as a layer: later installs use ' +
      'stale lists and fail or install old versions.',
    fix:
      'Update, install and clean in one RUN: `RUN apt-get update && apt-get install -y --no-install-recommends pkg ' +
      '&& rm -rf /var/lib/apt/lists/*`; update the base image instead of running `apt-get upgrade`.',
    example: 'FROM debian:12-slim\nRUN apt-get update\nRUN apt-get install -y curl\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      const shipped = shippedStages(ctx, use);
      const runs = use.parsed.instructions.filter((i) => i.keyword === 'RUN');
      const recommendsOff = runs.some((run) => NO_RECOMMENDS.test(runScript(run)));
      for (const stage of use.parsed.stages) {
        for (const run of stage.instructions.filter((i) => i.keyword === 'RUN')) {
          const apt = aptCommands(run);
          if (apt.length === 0) continue;
          const installs = apt.filter((c) => c.verb === 'install');
          const problems: string[] = [];
          const fixes: string[] = [];
          // Size only matters in stages whose layers ship; a builder stage may be as heavy as it likes.
          if (shipped.has(stage) && !recommendsOff && installs.some((c) => !c.words.includes('--no-install-recommends') && !c.words.some((w) => NO_RECOMMENDS.test(w)))) {
            problems.push('installs without --no-install-recommends');
            fixes.push('add --no-install-recommends to apt-get install');
          }
          if (shipped.has(stage) && installs.length > 0 && !REMOVES_LISTS.test(runScript(run)) && !mountsAptLists(run)) {
            problems.push('keeps /var/lib/apt/lists in the layer');
            fixes.push('end the same RUN with && rm -rf /var/lib/apt/lists/*');
          }
          const upgrade = apt.find((c) => UPGRADES.has(c.verb));
          if (upgrade) {
            problems.push(`runs apt-get ${upgrade.verb}`);
            fixes.push(`drop apt-get ${upgrade.verb} and use a newer base image`);
          }
          const updatesAlone = apt.some((c) => c.verb === 'update') && installs.length === 0 && !upgrade;
          if (updatesAlone) {
            problems.push('runs apt-get update in a RUN of its own, so later installs use a stale cached layer');
            fixes.push('run apt-get update in the same RUN as apt-get install');
          }
          if (problems.length === 0) continue;
          const finding = at(use, run, use.services[0] ?? null, `${displayPath(ctx, use)}: ${quoteInstruction(run)} ${problems.join(', ')}`, fixes.join('; '));
          // Only an update alone in its RUN is what CIS 4.7 asks about; the other habits are size and hygiene.
          findings.push({ ...finding, cis: updatesAlone ? ['4.7'] : [] });
        }
      }
    }
    return findings;
  },
});

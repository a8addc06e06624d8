import { existsSync } from 'node:fs';
import { analyze } from '../analyze/index.js';
import { UsageError } from './exit.js';
import { VERSION } from './version.js';

/**
 * What `sbom` and `scan` read: one image of the local engine, or every image a compose project's
 * services run (a path that exists is a project, anything else an image reference).
 */
export type ImageTarget = { kind: 'image'; ref: string } | { kind: 'project'; root: string; images: string[] };

export function imageTarget(target: string, options: { file: string[]; env: string[] }): ImageTarget {
  if (!existsSync(target) && options.file.length === 0) return { kind: 'image', ref: target };
  const { report, problems } = analyze({
    root: target,
    files: options.file.length > 0 ? options.file : undefined,
    environments: options.env,
    rules: [],
    version: VERSION,
  });
  const problem = problems[0];
  if (problem) throw new UsageError(`${problem.file}${problem.line ? `:${problem.line}:${problem.column}` : ''}: ${problem.message}`);
  const images = new Set<string>();
  for (const project of report.projects) {
    for (const environment of project.environments) {
      for (const service of environment.inventory.services) if (service.image) images.add(service.image);
    }
  }
  if (images.size === 0) throw new UsageError(`no service in ${target} names an image (services that only build one: build it and name it with \`image:\`)`);
  return { kind: 'project', root: target, images: [...images].sort() };
}

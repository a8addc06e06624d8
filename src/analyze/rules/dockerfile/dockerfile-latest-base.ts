import { baseImage } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { parseImage } from '../util.js';
import { at, displayPath, dockerfilesOf } from './shared.js';

/** Tags that name no release but move to a new one over time. */
const FLOATING_TAGS = new Set(['latest', 'lts', 'stable', 'current', 'edge', 'mainline', 'nightly', 'rolling']);

export default createRule({
  id: 'dockerfile-latest-base',
  severity: 'medium',
  category: 'dockerfile',
  docs: {
    summary: 'A Dockerfile builds FROM an image without a tag, or with `latest` or another floating tag.',
    why:
      'An untagged or `latest` base image is whatever the registry holds on the day of the build: two builds ' +
      'of the same commit can ship different operating systems, runtimes and vulnerabilities, and a ' +
      'rebuild can break without any change in the repository.',
    fix: 'Pin the base image to a version (`FROM node:20.11-alpine3.19`), or to a digest for full reproducibility (`FROM node@sha256:…`).',
    example: 'FROM python\nCOPY . /app\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      for (const stage of use.parsed.stages) {
        if (stage.parent) continue;
        // Build args can change an ARG-based FROM per service: the first service whose image floats is named.
        for (const service of use.services) {
          const { image, resolved } = baseImage(stage, ctx.project.services[service]?.build?.args ?? {});
          if (!resolved || image === '' || image.toLowerCase() === 'scratch') continue;
          const { repository, tag, digest } = parseImage(image);
          // `lts-alpine` and `stable-slim` float as much as `lts` and `stable`.
          if (digest || (tag !== undefined && !FLOATING_TAGS.has(tag.toLowerCase().split('-')[0] as string))) continue;
          const problem = tag === undefined ? `FROM ${image} has no tag` : `FROM ${image} uses the floating tag "${tag}"`;
          findings.push(
            at(
              use,
              stage.from,
              service,
              `${displayPath(ctx, use)}: ${problem}: every build of service "${service}" may start from a different image`,
              `pin the base image to a version, e.g. FROM ${repository}:<version>, or to a digest (${repository}@sha256:…)`,
            ),
          );
          break;
        }
      }
    }
    return findings;
  },
});

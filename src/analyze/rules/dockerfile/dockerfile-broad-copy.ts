import { relative } from 'node:path';
import { copyOperands } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, builtStages, displayPath, dockerfilesOf, hasDockerignore, quoteInstruction } from './shared.js';

/** Sources that name the whole build context. */
const WHOLE_CONTEXT = new Set(['.', './', '*', './*', '/']);

export default createRule({
  id: 'dockerfile-broad-copy',
  severity: 'medium',
  category: 'dockerfile',
  docs: {
    summary: 'A Dockerfile copies the whole build context (`COPY . .`) and the context has no `.dockerignore`.',
    why:
      'Without a `.dockerignore`, `COPY .` puts everything in the build directory into the image: the ' +
      '`.git` history, `.env` files, local credentials and keys, `node_modules` and build output. Secrets ' +
      'leak to anyone who can pull the image, images grow, and every unrelated file change busts the ' +
      'layer cache.',
    fix: 'Add a `.dockerignore` next to the build context (at least `.git`, `.env*`, `*.pem`, `node_modules`), or copy only the paths the image needs (`COPY src/ ./src/`).',
    example: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      if (hasDockerignore(ctx, use)) continue;
      // Only the stages a service's build runs read the context: `target: production` never runs `development`.
      const built = builtStages(ctx, use);
      for (const instruction of use.parsed.instructions) {
        if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
        const stage = use.parsed.stages[instruction.stage];
        const builders = stage ? built.get(stage) : undefined;
        if (!builders) continue;
        // `--from` copies out of another stage or image, not out of the build context.
        if (instruction.flags.some((f) => f.name === 'from')) continue;
        if (!copyOperands(instruction).slice(0, -1).some((s) => WHOLE_CONTEXT.has(s))) continue;
        const context = relative(ctx.dir, use.context) || '.';
        findings.push(
          at(
            use,
            instruction,
            builders[0] ?? null,
            `${displayPath(ctx, use)}: ${quoteInstruction(instruction)} copies the whole build context and ${context} has no .dockerignore: .git, .env files and local secrets end up in the image`,
            `add ${context === '.' ? '' : `${context}/`}.dockerignore listing .git, .env*, *.pem, node_modules and build output, or copy only the paths the image needs`,
          ),
        );
      }
    }
    return findings;
  },
});

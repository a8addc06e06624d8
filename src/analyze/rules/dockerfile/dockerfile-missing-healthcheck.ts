import { hasHealthcheck, lastInstruction, type Instruction } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { imageOf } from '../../facts/index.js';
import { at, builtImages, displayPath, dockerfilesOf } from './shared.js';

export default createRule({
  id: 'dockerfile-missing-healthcheck',
  severity: 'medium',
  category: 'dockerfile',
  cis: ['4.6'],
  docs: {
    summary: 'An image built here has no HEALTHCHECK, and the compose service defines none either.',
    why:
      'Without a health check Docker only knows whether the process is running, not whether it answers. ' +
      'A hung or still-starting service is reported as up, `depends_on: condition: service_healthy` cannot ' +
      'be used, and nothing restarts or routes around it.',
    fix:
      'Add a HEALTHCHECK to the final stage (`HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/healthcheck"]`) using a ' +
      'tool the image has, or a `healthcheck:` on the compose service.',
    example: 'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const reported = new Set<Instruction>();
    for (const use of dockerfilesOf(ctx)) {
      for (const image of builtImages(ctx, use)) {
        if (hasHealthcheck(image.stage)) continue;
        // `disable: true` on the service is a deliberate choice; a test there covers the image.
        const unchecked = image.services.filter((name) => {
          const healthcheck = ctx.project.services[name]?.healthcheck;
          return !healthcheck || (healthcheck.disable !== true && !(healthcheck.test && healthcheck.test.length > 0));
        });
        const service = unchecked[0];
        if (service === undefined) continue;
        const disabled = lastInstruction(image.stage, 'HEALTHCHECK');
        // The base image's own HEALTHCHECK is inherited: known from the table of images, or unknown.
        const facts = imageOf(ctx, service);
        if (!disabled && facts?.healthcheck === true) continue;
        const unknownBase = !disabled && facts?.healthcheck === undefined;
        const instruction = disabled ?? image.stage.from;
        if (reported.has(instruction)) continue;
        reported.add(instruction);
        findings.push(
          at(
            use,
            instruction,
            service,
            disabled
              ? `${displayPath(ctx, use)}: HEALTHCHECK NONE disables the health check of service "${service}", and the service defines none`
              : unknownBase
                ? `${displayPath(ctx, use)}: the image of service "${service}" declares no HEALTHCHECK, the service defines no healthcheck, and Shipshape cannot see whether the base image ${facts?.built?.base.image ?? ''} has one`
                : `${displayPath(ctx, use)}: the image of service "${service}" has no HEALTHCHECK and the service defines no healthcheck`,
            'add HEALTHCHECK CMD <a command that checks the app answers> to the final stage, or a healthcheck: to the service',
          ),
        );
        if (unknownBase) findings[findings.length - 1]!.severity = 'info';
      }
    }
    return findings;
  },
});

import { lastInstruction, splitWords, type Instruction } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, builtImages, displayPath, dockerfilesOf } from './shared.js';

/** The exec form of a shell-form command when it is a plain word list, else the same command behind `exec`. */
function execForm(instruction: Instruction): string {
  const args = instruction.args.trim();
  if (/[|&;<>()$`*?~]/.test(args)) return `${instruction.keyword} ["/bin/sh", "-c", ${JSON.stringify(`exec ${args}`)}]`;
  return `${instruction.keyword} ${JSON.stringify(splitWords(args).map((w) => w.value)).replace(/","/g, '", "')}`;
}

export default createRule({
  id: 'dockerfile-shell-form',
  severity: 'medium',
  category: 'dockerfile',
  docs: {
    summary: "The image's CMD or ENTRYPOINT is in shell form, so the application does not receive stop signals.",
    why:
      'A shell-form `CMD node server.js` runs as `/bin/sh -c "node server.js"`: the shell is PID 1 and does ' +
      'not forward SIGTERM. `docker stop` and every redeploy wait the full timeout and then SIGKILL the ' +
      'application, which loses in-flight requests and skips its clean shutdown.',
    fix: 'Use the exec (JSON) form: `CMD ["node", "server.js"]`. When a shell is really needed, end it with `exec`: `CMD ["/bin/sh", "-c", "exec node server.js"]`.',
    example: 'FROM node:20-alpine\nCOPY . /app\nCMD node /app/server.js\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const reported = new Set<Instruction>();
    for (const use of dockerfilesOf(ctx)) {
      for (const image of builtImages(ctx, use)) {
        // A compose entrypoint replaces the image's ENTRYPOINT and CMD; a compose command replaces CMD.
        const keepsEntrypoint = image.services.filter((name) => ctx.project.services[name]?.entrypoint == null);
        const keepsCmd = keepsEntrypoint.filter((name) => ctx.project.services[name]?.command == null);
        const candidates: [Instruction | undefined, string[]][] = [
          [lastInstruction(image.stage, 'ENTRYPOINT'), keepsEntrypoint],
          [lastInstruction(image.stage, 'CMD'), keepsCmd],
        ];
        for (const [instruction, affected] of candidates) {
          const service = affected[0];
          if (!instruction || service === undefined || instruction.json !== null || reported.has(instruction)) continue;
          // `exec` makes the shell replace itself with the application, which then gets the signals.
          if (instruction.args.trim() === '' || /^exec\s/.test(instruction.args.trim())) continue;
          reported.add(instruction);
          findings.push(
            at(
              use,
              instruction,
              service,
              `${displayPath(ctx, use)}: ${instruction.keyword} of service "${service}" is in shell form: /bin/sh is PID 1 and does not forward SIGTERM, so stopping the container kills the application after the timeout`,
              `use the exec form: ${execForm(instruction)}`,
            ),
          );
        }
      }
    }
    return findings;
  },
});

import { basename, isShell, pipelines, programWords } from '../../dockerfile/index.js';
import type { RawFinding } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { imageTools, type ImageTools, type Tool } from './image/tools.js';

export default createRule({
  id: 'healthcheck-tool-missing',
  severity: 'high',
  category: 'reliability',
  docs: {
    summary: 'A health check runs curl, wget or a shell that the image does not contain (distroless, scratch, alpine without curl, a slim image that never installs it).',
    why:
      'The check fails on every run with "executable file not found", so the container is marked ' +
      'unhealthy forever: `service_healthy` dependants never start, and orchestrators restart or ' +
      'drain a service that works. `CMD-SHELL` needs `/bin/sh`, which distroless and scratch images lack.',
    fix:
      'Probe with a program the image has (busybox `wget -q --spider` on alpine), install the tool in the ' +
      'Dockerfile (`apt-get install -y --no-install-recommends curl`), or ship a small probe binary and ' +
      'call it with the exec form `["CMD", "/healthcheck"]`.',
    example:
      'services:\n  api:\n    image: gcr.io/distroless/static-debian12\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]\n',
  },
  check: (ctx) => {
    const out: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const test = service.healthcheck?.test;
      if (!Array.isArray(test) || !test.every((w) => typeof w === 'string')) continue;
      if (service.healthcheck?.disable === true || test[0] === 'NONE') continue;
      const tools = imageTools(ctx, name);
      if (!tools) continue;
      const missing = neededTools(test).find((need) => tools.has[need.tool] === false);
      if (!missing) continue;
      out.push({
        path: ['services', name, 'healthcheck', 'test', missing.index],
        message: `service "${name}": ${describe(missing, tools)}, so the check always fails and the service never becomes healthy`,
        fix: fixFor(missing.tool, tools, test),
      });
    }
    return out;
  },
});

interface Need {
  tool: Tool;
  /** Index in `healthcheck.test` of the word that needs it. */
  index: number;
  /** `CMD-SHELL` rather than a program the test names. */
  viaShellForm?: boolean;
}

/** The tools a test needs, the shell first: without it nothing else runs. */
function neededTools(test: readonly string[]): Need[] {
  const needs: Need[] = [];
  const [form, first] = test;
  if (form === 'CMD-SHELL') {
    needs.push({ tool: 'sh', index: 1, viaShellForm: true });
    needs.push(...scriptTools(test.slice(1).join(' '), 1));
  } else if (form === 'CMD' && first !== undefined) {
    const program = basename(first);
    if (isShell(program)) {
      needs.push({ tool: program === 'bash' ? 'bash' : 'sh', index: 1 });
      const c = test.findIndex((w, i) => i > 1 && /^-[a-z]*c[a-z]*$/.test(w));
      if (c > 0 && test[c + 1] !== undefined) needs.push(...scriptTools(test[c + 1]!, c + 1));
    } else if (program === 'curl' || program === 'wget') needs.push({ tool: program, index: 1 });
  }
  return needs;
}

function scriptTools(script: string, index: number): Need[] {
  const needs: Need[] = [];
  for (const command of pipelines(script).flat()) {
    const program = programWords(command)[0];
    if (program === 'curl' || program === 'wget' || program === 'bash') needs.push({ tool: program, index });
  }
  return needs;
}

function describe(need: Need, tools: ImageTools): string {
  if (need.viaShellForm) return `the healthcheck uses CMD-SHELL, which needs /bin/sh, but ${tools.name} has no shell`;
  const why = tools.built ? ' (its base image lacks it and the Dockerfile never installs it)' : '';
  return `the healthcheck runs ${need.tool}, but ${tools.name} has no ${need.tool}${why}`;
}

function fixFor(tool: Tool, tools: ImageTools, test: readonly string[]): string {
  const url = /https?:\/\/[^\s"'|;&)]+/.exec(test.join(' '))?.[0] ?? 'http://localhost:<port>/health';
  if (tool === 'curl' && tools.has.wget === true) return `use the image's wget instead: test: ["CMD", "wget", "-q", "--spider", "${url}"]`;
  if (tools.has.sh === false) {
    return 'the image has no shell or HTTP client: use the exec form with a probe binary you copy into the image (test: ["CMD", "/healthcheck"]), or build from an image that has one';
  }
  if (tool === 'sh' || tool === 'bash') return `write the test in the exec form without a shell (["CMD", ...]) or use a base image that has ${tool}`;
  return `install ${tool} in the Dockerfile (apt-get install -y --no-install-recommends ${tool}, or apk add --no-cache ${tool}) or probe with a program the image has`;
}

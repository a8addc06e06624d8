import { containerPorts, findingsOf, isOneShot, type Hardening } from './shared.js';
import type { ImageInfo } from './types.js';

/** Container ports that usually speak HTTP: probed with an HTTP request, others with a TCP connect. */
const HTTP_PORTS = new Set([80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8088, 8888, 9000, 9080]);

/** The probes an image can run for a port, best first (`--verify` falls back along the list). */
export function probesFor(port: number, tools: ImageInfo['tools']): string[][] {
  const out: string[][] = [];
  const url = `http://127.0.0.1:${port}/`;
  if (HTTP_PORTS.has(port)) {
    if (tools.wget) out.push(['CMD', 'wget', '-q', '-O', '/dev/null', url]);
    if (tools.curl) out.push(['CMD', 'curl', '-fsS', '-o', '/dev/null', url]);
  }
  // BusyBox nc exits 0 once it has connected and read the end of its input.
  if (tools.nc && tools.sh) out.push(['CMD-SHELL', `nc -w 3 127.0.0.1 ${port} </dev/null`]);
  return out;
}

/**
 * A healthcheck for a long-running service that has none, probing the lowest port it listens on
 * with a program its image holds. Without a port or a tool, nothing is written and the reason is given.
 */
export const healthcheck: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  if (service.healthcheck !== undefined || isOneShot(input.project, name)) return;
  const image = input.images.get(name);
  if (image?.healthcheck === true) return;
  const port = containerPorts(service, image?.exposedPorts)[0];
  if (port === undefined) {
    plan.skipped.push({ kind: 'healthcheck', reason: 'it listens on no port that the compose file or the image declares, so there is nothing to probe' });
    return;
  }
  const probes = probesFor(port, image?.tools ?? {});
  const first = probes[0];
  if (!first) {
    plan.skipped.push({ kind: 'healthcheck', reason: `its image has no known probe program (wget, curl or nc) for port ${port}` });
    return;
  }
  const rules = findingsOf(input.findings, name, ['missing-healthcheck']);
  plan.healthcheck = { test: first, rules: rules.length > 0 ? rules : ['missing-healthcheck'], note: `probe port ${port} with ${first[0] === 'CMD-SHELL' ? 'nc' : first[1]}` };
};

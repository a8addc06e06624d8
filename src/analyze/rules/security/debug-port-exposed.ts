import type { Service } from '../../../compose/index.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { bindsAllInterfaces, hostSide, isLoopback, publishedPorts } from '../../facts/index.js';

/** Container ports debuggers and inspectors listen on by default. */
const DEBUG_PORTS: Record<number, string> = {
  5005: 'the Java debugger (JDWP)',
  2345: 'the Go debugger (delve)',
  5678: 'the Python debugger (debugpy)',
  5858: 'the legacy Node.js debugger',
  9222: 'the Chrome DevTools protocol',
  9229: 'the Node.js inspector',
  9230: 'the Node.js inspector',
};

/**
 * Debugger switches in a command line or an options variable, with the port they name:
 * `--inspect=0.0.0.0:9229`, `-agentlib:jdwp=…address=*:8000`, `dlv --listen=:40000`,
 * `debugpy --listen 0.0.0.0:5678`, `--remote-debugging-port=9222`.
 */
const DEBUG_FLAGS: readonly [RegExp, string][] = [
  [/--inspect(?:-brk|-wait)?(?:=(?:[^\s:]*:)?(\d+))?/g, 'the Node.js inspector'],
  [/-agentlib:jdwp=\S*?address=(?:[^\s,:]*:)?(\d+)/g, 'the Java debugger (JDWP)'],
  [/-Xrunjdwp:\S*?address=(?:[^\s,:]*:)?(\d+)/g, 'the Java debugger (JDWP)'],
  [/\bdlv\b.*?--listen[= ](?:[^\s:]*:)?(\d+)/g, 'the Go debugger (delve)'],
  [/\bdebugpy\b.*?--listen[= ](?:[^\s:]*:)?(\d+)/g, 'the Python debugger (debugpy)'],
  [/--remote-debugging-port[= ](\d+)/g, 'the Chrome DevTools protocol'],
];

const DEFAULT_FLAG_PORT: Record<string, number> = { 'the Node.js inspector': 9229 };

/** The ports the service's own command, entrypoint or options variables start a debugger on. */
function flaggedPorts(service: Service): Map<number, string> {
  const words: string[] = [];
  for (const part of [service.command, service.entrypoint]) if (Array.isArray(part)) words.push(...part.map(String));
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    if (typeof value === 'string' && /OPTIONS|OPTS|ARGS/i.test(key)) words.push(value);
  }
  const text = words.join(' ');
  const out = new Map<number, string>();
  for (const [pattern, what] of DEBUG_FLAGS) {
    for (const m of text.matchAll(pattern)) {
      const port = m[1] !== undefined ? Number(m[1]) : DEFAULT_FLAG_PORT[what];
      if (port !== undefined) out.set(port, what);
    }
  }
  return out;
}

export default createRule({
  id: 'debug-port-exposed',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'A debugger or inspector port (Node 9229, JDWP 5005, delve 2345, debugpy 5678…) is published beyond loopback.',
    why:
      'A debugger evaluates whatever code its client sends: the Node.js inspector, JDWP, delve and debugpy ' +
      'have no authentication, so anyone who reaches the port runs code in the container. Publishing it on ' +
      'every host interface is remote code execution for every network the host is on, and Docker\'s ' +
      'iptables rules put it in front of host firewalls such as ufw. A debug port is usually a development ' +
      'setting that slipped into a shared or production file.',
    fix:
      'Remove the port mapping, or publish it on loopback only (`127.0.0.1:9229:9229`) and reach it through ' +
      'an SSH tunnel; keep debugger switches in a development overlay.',
    example: 'services:\n  api:\n    image: node:22\n    command: [node, --inspect=0.0.0.0:9229, server.js]\n    ports:\n      - "9229:9229"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const flagged = flaggedPorts(service);
      for (const { index, port } of publishedPorts(service, ctx.project)) {
        if (isLoopback(port.host_ip)) continue;
        const what = flagged.get(port.target) ?? DEBUG_PORTS[port.target];
        if (what === undefined) continue;
        const where = bindsAllInterfaces(port) ? 'every host interface' : `host address ${port.host_ip ?? ''}`;
        findings.push({
          path: ['services', name, 'ports', index],
          message: `service "${name}" publishes port ${port.target}, ${what}, on ${where} (${hostSide(port)}): whoever reaches it runs code in the container`,
          fix: `remove this port mapping, or publish it on loopback only ("127.0.0.1:${port.published ?? port.target}:${port.target}") and keep the debugger in a development overlay`,
        });
      }
    }
    return findings;
  },
});

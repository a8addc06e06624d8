import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { hostSide, publishedPorts } from '../../facts/index.js';

export default createRule({
  id: 'unbound-port-interface',
  severity: 'medium',
  category: 'security',
  cis: ['5.14'],
  docs: {
    summary: 'A published port has no host IP, so it listens on every interface of the host.',
    why:
      '`"8080:80"` means `0.0.0.0:8080:80`: the port is open on every network the host is attached to, ' +
      'public ones included. Docker inserts its own iptables rules for published ports, ahead of host ' +
      'firewalls such as ufw or firewalld, so a rule that "closes" the port there does not apply. A port ' +
      'meant for the host itself, a VPN or a reverse proxy on the same host is then open to everybody.',
    fix:
      'Write the interface in front of every published port: `127.0.0.1:8080:80` when only the host (or a ' +
      'reverse proxy on it) needs the port, or the one address it must serve on. Leave `0.0.0.0` only for ' +
      'the public entry point, written explicitly.',
    example: 'services:\n  api:\n    image: api:2.3\n    ports:\n      - "8080:8080"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      for (const { index, port } of publishedPorts(service, ctx.project)) {
        // An explicit 0.0.0.0 or :: is a written decision to listen everywhere.
        if (port.host_ip !== undefined && port.host_ip.trim() !== '') continue;
        const published = port.published ?? 'a random port';
        findings.push({
          path: ['services', name, 'ports', index],
          message:
            `service "${name}" publishes ${published === 'a random port' ? 'a random host port' : `host port ${published}`} ` +
            `(container port ${port.target}/${port.protocol}) on every host interface (${hostSide(port)}), ahead of host firewalls such as ufw`,
          fix: `bind it to the interface that needs it: "127.0.0.1:${port.published ?? ''}:${port.target}" for the host only, or write "0.0.0.0:${port.published ?? ''}:${port.target}" when it is a public entry point`,
        });
      }
    }
    return findings;
  },
});

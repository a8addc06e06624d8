import { createRule } from '../create-rule.js';
import { imageName, services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { lowestPublishedPort, publishedPorts } from '../../facts/index.js';

/** Host services that own well-known ports below 1024, to say what a mapping would clash with. */
const WELL_KNOWN: Record<number, string> = {
  21: 'FTP',
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  53: 'DNS',
  67: 'DHCP',
  69: 'TFTP',
  110: 'POP3',
  111: 'rpcbind',
  123: 'NTP',
  135: 'RPC',
  139: 'NetBIOS',
  143: 'IMAP',
  161: 'SNMP',
  389: 'LDAP',
  445: 'SMB',
  465: 'SMTPS',
  514: 'syslog',
  587: 'mail submission',
  631: 'CUPS',
  636: 'LDAPS',
  853: 'DNS over TLS',
  873: 'rsync',
  993: 'IMAPS',
  995: 'POP3S',
};

/**
 * Servers whose clients only know the standard port: a mail server must answer on 25, 465, 587,
 * 110, 143, 993 and 995, and publishing those is its job, not a finding. (A DNS server on 53 is
 * still reported: it clashes with the host's own resolver, systemd-resolved on most distributions.)
 */
const SERVER_PORTS: readonly [RegExp, ReadonlySet<number>][] = [
  [/mail|postfix|dovecot|smtp|exim|stalwart|maddy|haraka|^mox$|mailu|poste|iredmail|mailcow|sendmail|opensmtpd/, new Set([25, 110, 143, 465, 587, 993, 995])],
];

function servesOn(image: unknown, host: number): boolean {
  if (typeof image !== 'string') return false;
  const name = imageName(image);
  return SERVER_PORTS.some(([pattern, ports]) => pattern.test(name) && ports.has(host));
}

export default createRule({
  id: 'privileged-port',
  severity: 'low',
  category: 'security',
  cis: ['5.8'],
  docs: {
    summary: 'A service publishes a host port below 1024.',
    why:
      'Ports below 1024 are the host\'s system ports: SSH, DNS, mail, NTP. Publishing one from a container ' +
      'can clash with or stand in for the host\'s own service, it needs root or an extra capability in ' +
      'rootless engines, and it deserves a deliberate review. HTTP (80) and HTTPS (443) on a reverse proxy or ' +
      'web server are the normal public entry point: they are reported at the same low severity so the list ' +
      'of privileged ports stays complete, and the message says so. A mail server (postfix, dovecot, ' +
      'docker-mailserver, stalwart, mailu…) publishing the mail ports 25, 110, 143, 465, 587, 993 and 995 is doing its job and is not reported.',
    fix:
      'Publish a port of 1024 or above (`8080:80`) unless this service is the host\'s public entry point for ' +
      'that protocol; in that case keep it and, if the report should stay quiet, add ' +
      '`# shipshape-ignore privileged-port entry point` on the line.',
    example: 'services:\n  sftp:\n    image: atmoz/sftp:alpine-3.7\n    ports:\n      - "22:22"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      for (const { index, port } of publishedPorts(service, ctx.project)) {
        const host = lowestPublishedPort(port);
        if (host === undefined || host === 0 || host >= 1024) continue;
        const path = ['services', name, 'ports', index];
        if (servesOn(service.image, host)) continue;
        if (host === 80 || host === 443) {
          findings.push({
            path,
            message:
              `service "${name}" publishes privileged host port ${host} (${host === 80 ? 'HTTP' : 'HTTPS'}): ` +
              'normal for a reverse proxy or web server that is the public entry point; listed so that every port below 1024 is a deliberate choice',
            fix: null,
          });
          continue;
        }
        const owner = WELL_KNOWN[host];
        findings.push({
          path,
          message:
            `service "${name}" publishes privileged host port ${host}${owner ? ` (${owner})` : ''}: ports below 1024 belong to ` +
            `the host's system services${owner ? `, and this one can clash with or stand in for the host's own ${owner}` : ''}`,
          fix: `publish a port of 1024 or above instead (e.g. "${host + 8000 < 65536 ? host + 8000 : 8080}:${port.target}"), unless the service must answer on ${host} for clients that cannot be told another port`,
        });
      }
    }
    return findings;
  },
});

import type { PortConfig } from '../compose/index.js';
import { findingsOf, type Hardening } from './shared.js';

const RULES = ['exposed-database-port', 'unbound-port-interface', 'debug-port-exposed', 'internal-network-exposed'];

/** Container ports of a public entry point (a web server or reverse proxy): kept on every interface, written explicitly. */
const ENTRY_PORTS = new Set([80, 443]);

/**
 * Every published port without a host address gets one: `0.0.0.0` written out for a web entry
 * point (80, 443), `127.0.0.1` for everything else (data stores, debuggers, internal services), so
 * only the host (or a reverse proxy on it) reaches them. The whole list is written (`!override`):
 * compose would otherwise keep the old mapping beside the new one.
 */
export const ports: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  const list = Array.isArray(service.ports) ? service.ports : [];
  let changed = false;
  const rewritten = list.map((port): PortConfig => {
    if (port.host_ip !== undefined && port.host_ip.trim() !== '') return port;
    changed = true;
    const entry = ENTRY_PORTS.has(port.target) || (port.published !== undefined && ENTRY_PORTS.has(Number(port.published)));
    return { ...port, host_ip: entry ? '0.0.0.0' : '127.0.0.1' };
  });
  if (!changed) return;
  const rules = findingsOf(input.findings, name, RULES);
  plan.ports = {
    ports: rewritten,
    rules: rules.length > 0 ? rules : ['unbound-port-interface'],
    note: 'only the host reaches its ports; a web entry point (80, 443) stays public, written as 0.0.0.0',
  };
};

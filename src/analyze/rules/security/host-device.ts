import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';

/** Devices that give more than the hardware they name: the host's memory or its disks. */
function deviceRisk(source: string): string {
  if (/^\/dev\/(mem|kmem|port)$/.test(source)) return 'raw access to host memory, beneath every kernel protection';
  if (/^\/dev\/(sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+(n\d+)?(p\d+)?|mmcblk\d+(p\d+)?|dm-\d+|mapper\/.+|loop\d+|md\d+)\d*$/.test(source)) {
    return 'a host block device: it reads and writes the host\'s disk beneath its filesystems and their permissions';
  }
  if (!source.startsWith('/')) return 'a device given through CDI';
  return 'direct access to host hardware through the kernel driver';
}

interface DeviceEntry {
  source?: unknown;
  target?: unknown;
  permissions?: unknown;
}

export default createRule({
  id: 'host-device',
  severity: 'medium',
  category: 'security',
  cis: ['5.18'],
  docs: {
    summary: 'A service gets direct access to host devices (`devices:`, `device_cgroup_rules:`, `gpus:` or `deploy.resources.reservations.devices`).',
    why:
      'A device node hands the container a kernel driver of the host: its bugs become the container\'s way ' +
      'out, and some devices give far more than their hardware (a disk device reads every file beneath the ' +
      'filesystem\'s permissions, /dev/mem reads host memory). `device_cgroup_rules` lets the container use ' +
      'every device that matches the rule, including ones created later.',
    fix:
      'Remove the device unless the service needs that hardware (a USB stick for a home-automation hub, a ' +
      'GPU for inference); map exactly that device, with the least permissions (`r` or `rw`, without `m`).',
    example: 'services:\n  zigbee:\n    image: koenkk/zigbee2mqtt:1.40.2\n    devices:\n      - /dev/ttyUSB0:/dev/ttyACM0\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const devices = Array.isArray(service['devices']) ? (service['devices'] as unknown[]) : [];
      devices.forEach((entry, index) => {
        const device: DeviceEntry = typeof entry === 'string' ? { source: entry } : ((entry ?? {}) as DeviceEntry);
        // Anything else is not a device the engine could map; the schema rule reports it.
        if (typeof device.source !== 'string' || device.source === '') return;
        const source = device.source;
        const permissions = typeof device.permissions === 'string' ? device.permissions : 'rwm';
        const target = typeof device.target === 'string' && device.target !== source ? ` as ${device.target}` : '';
        findings.push({
          path: ['services', name, 'devices', index],
          message: `service "${name}" gets host device ${source}${target} (${permissions}): ${deviceRisk(source)}`,
          fix: permissions.includes('m')
            ? 'remove the device unless the service needs that hardware; otherwise map only it, without the "m" (mknod) permission: `<device>:<device>:rw`'
            : 'remove the device unless the service needs that hardware',
        });
      });
      // GPUs and other device requests: the engine hands the container the host's driver and device nodes.
      const gpus = service['gpus'];
      if (gpus !== undefined && gpus !== null) {
        findings.push({
          path: ['services', name, 'gpus'],
          message: `service "${name}" gets host GPUs (gpus: ${JSON.stringify(gpus)}): the host's device nodes and driver libraries`,
          fix: 'remove gpus unless the service needs that hardware',
        });
      }
      const reservations = (service.deploy as { resources?: { reservations?: { devices?: unknown } } } | undefined)?.resources?.reservations;
      if (Array.isArray(reservations?.devices)) {
        reservations.devices.forEach((_request, index) => {
          findings.push({
            path: ['services', name, 'deploy', 'resources', 'reservations', 'devices', index],
            message: `service "${name}" reserves host devices (deploy.resources.reservations.devices): the host's device nodes and driver libraries`,
            fix: 'remove the device reservation unless the service needs that hardware',
          });
        });
      }
      const rules = Array.isArray(service['device_cgroup_rules']) ? (service['device_cgroup_rules'] as unknown[]) : [];
      rules.forEach((rule, index) => {
        const text = String(rule).trim();
        const wide = /^a\b|\*:\*|\*:|:\*/.test(text) ? ', a wildcard that covers many devices' : '';
        findings.push({
          path: ['services', name, 'device_cgroup_rules', index],
          message: `service "${name}" may use every host device matching the cgroup rule "${text}"${wide}`,
          fix: 'map the exact devices the service needs with `devices:` instead of a cgroup rule',
        });
      });
    }
    return findings;
  },
});

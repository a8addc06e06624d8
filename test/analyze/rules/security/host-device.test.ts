import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/host-device.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('host-device', () => {
  it('valid: no devices', () => {
    const files = { 'compose.yaml': lines('services:', '  a:', '    image: x:1', '    volumes: [/dev/null:/x]') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: each device and device cgroup rule, at its entry, with what it gives', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  zigbee:',
        '    image: koenkk/zigbee2mqtt:1.40.2',
        '    devices:',
        '      - /dev/ttyUSB0:/dev/ttyACM0',
        '      - /dev/sda:/dev/sda:r',
        '      - /dev/mem',
        '    device_cgroup_rules:',
        "      - 'c 189:* rmw'",
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9', 'compose.yaml:7:9', 'compose.yaml:9:9']);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "zigbee" gets host device /dev/ttyUSB0 as /dev/ttyACM0 (rwm): direct access to host hardware through the kernel driver',
      'service "zigbee" gets host device /dev/sda (r): a host block device: it reads and writes the host\'s disk beneath its filesystems and their permissions',
      'service "zigbee" gets host device /dev/mem (rwm): raw access to host memory, beneath every kernel protection',
      'service "zigbee" may use every host device matching the cgroup rule "c 189:* rmw", a wildcard that covers many devices',
    ]);
    assert.match(findings[0]!.fix ?? '', /without the "m" \(mknod\) permission/);
    assert.ok(findings.every((f) => f.severity === 'medium'));
  });
});

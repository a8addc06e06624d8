import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backOff, backOffFinal, fileVariables, limitsFromPeaks, tmpfsTargets, unprivileged, type Outcome, type ServicePlan } from '../../src/harden/index.js';

const failed = (extra: Partial<Outcome> = {}): Outcome => ({ ok: false, state: 'exited with code 1', running: false, unhealthy: false, oomKilled: false, logs: '', ...extra });

function plan(): ServicePlan {
  return {
    name: 'app',
    user: { user: '65534:65534', rules: ['root-user'], note: '' },
    capabilities: { add: [], rules: ['no-cap-drop'], note: 'drop every capability' },
    noNewPrivileges: { rules: ['no-new-privileges-missing'], note: '' },
    readOnly: { tmpfs: ['/tmp'], rules: ['writable-rootfs'], note: '' },
    healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/'], rules: ['missing-healthcheck'], note: '' },
    skipped: [],
  };
}

describe('harden --verify: what docker diff makes a tmpfs', () => {
  it('each top-most folder it made, and the folder of each file it wrote; not below volumes or the engine\'s files', () => {
    const changes = [
      { Path: '/var', Kind: 0 as const },
      { Path: '/var/cache', Kind: 0 as const },
      { Path: '/var/cache/app', Kind: 1 as const },
      { Path: '/var/cache/app/stamp', Kind: 1 as const },
      { Path: '/tmp', Kind: 0 as const },
      { Path: '/tmp/started', Kind: 1 as const },
      { Path: '/data/state', Kind: 1 as const },
      { Path: '/etc', Kind: 0 as const },
      { Path: '/etc/hosts', Kind: 0 as const },
      { Path: '/run', Kind: 0 as const },
      { Path: '/run/app.pid', Kind: 1 as const },
    ];
    assert.deepEqual(tmpfsTargets(changes, ['/tmp', '/data']), ['/run', '/var/cache/app']);
    assert.deepEqual(tmpfsTargets([{ Path: '/var/cache', Kind: 0 }, { Path: '/var/cache/stamp', Kind: 1 }], []), ['/var/cache']);
  });

  it('a top-level folder the service made is itself the target', () => {
    assert.deepEqual(tmpfsTargets([{ Path: '/work', Kind: 1 }, { Path: '/work/x', Kind: 1 }], []), ['/work']);
  });
});

describe('harden --verify: limits from peaks', () => {
  it('twice the memory (16 MiB steps, 64 MiB at least), four times the processes (64 at least), twice the CPU (0.5 at least)', () => {
    assert.deepEqual(limitsFromPeaks({ memoryBytes: 3 * 1024 * 1024, pids: 2, cpus: 0.01 }), { memory: '64M', cpus: '0.50', pids: 64 });
    assert.deepEqual(limitsFromPeaks({ memoryBytes: 100 * 1024 * 1024, pids: 40, cpus: 0.6 }), { memory: '208M', cpus: '1.25', pids: 160 });
  });
});

describe('harden --verify: which hardening is backed off', () => {
  it('an unhealthy running service tries the next probe, then drops the healthcheck', () => {
    const p = plan();
    const probes = [p.healthcheck!.test, ['CMD-SHELL', 'nc -w 3 127.0.0.1 80 </dev/null']];
    assert.match(backOff(p, failed({ running: true, unhealthy: true }), probes)!, /trying/);
    assert.equal(p.healthcheck!.test[0], 'CMD-SHELL');
    assert.equal(backOff(p, failed({ running: true, unhealthy: true }), probes), 'healthcheck: dropped');
    assert.equal(p.healthcheck, undefined);
    assert.equal(p.skipped[0]!.kind, 'healthcheck');
  });

  it('a capability its output names comes back first, then the user goes, then capabilities one at a time', () => {
    const p = plan();
    assert.equal(backOff(p, failed({ logs: "chown: /data: Operation not permitted" }), []), 'capabilities: CHOWN restored');
    assert.equal(backOff(p, failed(), []), 'user: dropped');
    assert.equal(p.user, undefined);
    assert.match(p.skipped.find((s) => s.kind === 'user')!.reason, /as user 65534:65534/);
    assert.equal(backOff(p, failed(), []), 'capabilities: SETUID restored');
    assert.deepEqual(p.capabilities!.add, ['CHOWN', 'SETUID']);
  });

  it('when everything of harden\'s is gone, nothing is left to back off', () => {
    const p: ServicePlan = { name: 'app', skipped: [] };
    assert.equal(backOff(p, failed(), []), undefined);
  });

  it('in the final run: more memory once after an out-of-memory kill, then a writable root filesystem', () => {
    const p = plan();
    p.limits = { memory: '64M', cpus: '0.50', pids: 64, measured: true, rules: [], note: '' };
    const raised = new Set<string>();
    assert.equal(backOffFinal(p, failed({ oomKilled: true }), raised), 'limits: memory raised to 128M');
    assert.equal(backOffFinal(p, failed({ oomKilled: true }), raised), 'read-only: dropped');
    assert.equal(p.readOnly, undefined);
  });
});

describe('harden: what an image\'s files tell', () => {
  it('an unprivileged user from /etc/passwd: nobody first, else the first account from 1000 up', () => {
    assert.equal(unprivileged('root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n'), '65534:65534');
    assert.equal(unprivileged('root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\napp:x:1001:1001::/app:/bin/sh\n'), '1001:1001');
    assert.equal(unprivileged('root:x:0:0::/root:/bin/sh\n'), undefined);
  });

  it('which variables an entrypoint reads from <NAME>_FILE', () => {
    assert.equal(fileVariables('file_env "POSTGRES_PASSWORD"'), 'all');
    assert.deepEqual(fileVariables('if [ -n "$DB_PASSWORD_FILE" ]; then x; fi'), new Set(['DB_PASSWORD']));
    assert.deepEqual(fileVariables('exec httpd -f'), new Set());
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeDotenv, parseAgentConfig, type AgentConfig, type ConfigResult } from '../../src/agent/config.js';

const KEY = 'a-server-key-of-some-length';
const base = { SERVER_KEY: KEY, WORK_DIR: '/srv/agent' };

function ok(result: ConfigResult): AgentConfig {
  if (!result.ok) assert.fail(`unexpected problems: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.config;
}

function problems(result: ConfigResult): { variable: string; message: string }[] {
  assert.equal(result.ok, false, 'expected the configuration to be refused');
  return result.ok ? [] : result.problems;
}

describe('parseAgentConfig', () => {
  test('defaults follow docs/agent.md and machine-lab', () => {
    const config = ok(parseAgentConfig(base));
    assert.equal(config.apiPort, 8003);
    assert.equal(config.apiHost, '0.0.0.0');
    assert.equal(config.heartbeatInterval, 10);
    assert.equal(config.dockerHost, 'unix:///var/run/docker.sock');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.analysisGate, 'high');
    assert.deepEqual([config.allowedHostPaths, config.gateAllowRules], [[], []]);
    assert.equal(config.managerUrl, undefined);
    assert.equal(config.maxContainers, undefined);
    assert.equal(config.workDir, '/srv/agent');
    assert.equal(config.advisoriesPath, undefined, 'image scanning is off until ADVISORIES_PATH is set');
    assert.equal(config.imageScanInterval, 86_400);
  });

  test('image scans: ADVISORIES_PATH and IMAGE_SCAN_INTERVAL in seconds or with a unit', () => {
    const config = ok(parseAgentConfig({ ...base, ADVISORIES_PATH: '/var/lib/osv/all.zip', IMAGE_SCAN_INTERVAL: '6h' }));
    assert.equal(config.advisoriesPath, '/var/lib/osv/all.zip');
    assert.equal(config.imageScanInterval, 6 * 3_600);
    for (const [raw, seconds] of [['0', 0], ['3600', 3_600], ['30m', 1_800], ['2d', 172_800], ['90s', 90]] as const) {
      assert.equal(ok(parseAgentConfig({ ...base, IMAGE_SCAN_INTERVAL: raw })).imageScanInterval, seconds, raw);
    }
  });

  test('reads every variable', () => {
    const config = ok(
      parseAgentConfig({
        ...base,
        MANAGER_URL: 'https://manager.example.com/',
        HOST_ID: '550e8400-e29b-41d4-a716-446655440000',
        JWT_SECRET: 'x',
        DOCKER_SOCKET: '/run/docker.sock',
        HEARTBEAT_INTERVAL: '2.5',
        API_PORT: '9000',
        API_HOST: '127.0.0.1',
        MAX_CONTAINERS: '10',
        MAX_CPU_PERCENT: '80',
        MAX_MEMORY_PERCENT: '75.5',
        LOG_LEVEL: 'WARNING',
        ANALYSIS_GATE: 'High',
        PACKAGE_MAX_MB: '2',
        PACKAGE_MAX_FILES: '50',
      }),
    );
    assert.equal(config.managerUrl, 'https://manager.example.com', 'trailing slash dropped');
    assert.equal(config.hostId, '550e8400-e29b-41d4-a716-446655440000');
    assert.equal(config.dockerHost, 'unix:///run/docker.sock', 'a bare socket path is a unix:// address');
    assert.equal(config.heartbeatInterval, 2.5);
    assert.equal(config.apiPort, 9000);
    assert.equal(config.maxContainers, 10);
    assert.equal(config.maxMemoryPercent, 75.5);
    assert.equal(config.logLevel, 'warn', "Python's WARNING is pino's warn");
    assert.equal(config.analysisGate, 'high');
    assert.equal(config.packageLimits.maxArchiveBytes, 2 * 2 ** 20);
    assert.equal(config.packageLimits.maxEntries, 50);
  });

  test('the gate allowances: absolute host paths and rule ids, each bad one named', () => {
    const config = ok(parseAgentConfig({ ...base, ALLOWED_HOST_PATHS: '/srv/www/, /data/shared', GATE_ALLOW_RULES: 'Privileged,foreign-resource' }));
    assert.deepEqual(config.allowedHostPaths, ['/srv/www', '/data/shared']);
    assert.deepEqual(config.gateAllowRules, ['privileged', 'foreign-resource']);
    const bad = problems(parseAgentConfig({ ...base, ALLOWED_HOST_PATHS: 'srv,/a/../etc', GATE_ALLOW_RULES: 'not a rule' }));
    assert.deepEqual(bad.map((p) => p.variable), ['ALLOWED_HOST_PATHS', 'ALLOWED_HOST_PATHS', 'GATE_ALLOW_RULES']);
  });

  test('empty values count as unset', () => {
    const config = ok(parseAgentConfig({ ...base, MAX_CONTAINERS: '', MANAGER_URL: '  ', LOG_LEVEL: '' }));
    assert.equal(config.maxContainers, undefined);
    assert.equal(config.managerUrl, undefined);
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ SERVER_KEY: '' }, 'SERVER_KEY', /required/],
    [{ SERVER_KEY: 'short' }, 'SERVER_KEY', /at least 16/],
    [{ MANAGER_URL: 'manager:8000', HOST_ID: 'h1' }, 'MANAGER_URL', /http/],
    [{ MANAGER_URL: 'http://m:8000' }, 'HOST_ID', /required when MANAGER_URL/],
    [{ HOST_ID: '../../admin' }, 'HOST_ID', /letters, digits/],
    [{ DOCKER_SOCKET: 'ssh://host' }, 'DOCKER_SOCKET', /not supported/],
    [{ HEARTBEAT_INTERVAL: 'ten' }, 'HEARTBEAT_INTERVAL', /a number/],
    [{ HEARTBEAT_INTERVAL: '0' }, 'HEARTBEAT_INTERVAL', /between/],
    [{ API_PORT: '70000' }, 'API_PORT', /between 0 and 65535/],
    [{ API_PORT: '80.5' }, 'API_PORT', /integer/],
    [{ MAX_CONTAINERS: '0' }, 'MAX_CONTAINERS', /between 1/],
    [{ MAX_CPU_PERCENT: '120' }, 'MAX_CPU_PERCENT', /between 1 and 100/],
    [{ MAX_MEMORY_PERCENT: 'lots' }, 'MAX_MEMORY_PERCENT', /number/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ WORK_DIR: 'relative/dir' }, 'WORK_DIR', /absolute/],
    [{ ANALYSIS_GATE: 'severe' }, 'ANALYSIS_GATE', /one of critical, high/],
    [{ ANALYSIS_CONFIG: '/nonexistent/gate.yml' }, 'ANALYSIS_CONFIG', /no readable file/],
    [{ PACKAGE_MAX_FILES: '-1' }, 'PACKAGE_MAX_FILES', /between/],
    [{ ADVISORIES_PATH: 'osv/all.zip' }, 'ADVISORIES_PATH', /absolute/],
    [{ IMAGE_SCAN_INTERVAL: 'daily' }, 'IMAGE_SCAN_INTERVAL', /24h/],
    [{ IMAGE_SCAN_INTERVAL: '10s' }, 'IMAGE_SCAN_INTERVAL', /from 60s to 30d/],
    [{ IMAGE_SCAN_INTERVAL: '31d' }, 'IMAGE_SCAN_INTERVAL', /from 60s to 30d/],
  ];
  for (const [env, variable, message] of bad) {
    test(`a bad ${variable} is refused with a message naming it`, () => {
      const found = problems(parseAgentConfig({ ...base, ...env }));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]!.variable, variable);
      assert.ok(found[0]!.message.startsWith(`${variable} `), found[0]!.message);
      assert.match(found[0]!.message, message);
    });
  }

  test('reports every problem at once', () => {
    const found = problems(parseAgentConfig({ API_PORT: 'x', MAX_CONTAINERS: 'y' }));
    assert.deepEqual(found.map((p) => p.variable).sort(), ['API_PORT', 'MAX_CONTAINERS', 'SERVER_KEY']);
  });
});

describe('mergeDotenv', () => {
  test('the environment wins over .env, as pydantic-settings and compose do', () => {
    const env = mergeDotenv({ SERVER_KEY: 'from-env', PATH: '/bin' }, 'SERVER_KEY=from-file\nHOST_ID="abc" # comment\nexport API_PORT=9000\n');
    assert.equal(env.SERVER_KEY, 'from-env');
    assert.equal(env.HOST_ID, 'abc');
    assert.equal(env.API_PORT, '9000');
    assert.equal(env.PATH, '/bin');
  });

  test('without a file the environment is used as it is', () => {
    assert.deepEqual(mergeDotenv({ A: '1' }, undefined), { A: '1' });
  });
});

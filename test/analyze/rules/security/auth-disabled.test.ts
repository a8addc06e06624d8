import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/auth-disabled.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('auth-disabled', () => {
  it('valid: passwords set, redis on loopback or with a password, switches turned the safe way', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: postgres:16',
        '    environment:',
        '      POSTGRES_HOST_AUTH_METHOD: scram-sha-256',
        '      POSTGRES_PASSWORD_FILE: /run/secrets/db',
        '  mysql:',
        '    image: mysql:8.4',
        '    environment:',
        '      MYSQL_ALLOW_EMPTY_PASSWORD: "no"',
        '  cache:',
        '    image: redis:7.4',
        '    ports: ["127.0.0.1:6379:6379"]',
        '  cache2:',
        '    image: redis:7.4',
        '    command: [redis-server, --requirepass, "${REDIS_PASSWORD}"]',
        '    ports: ["6380:6379"]',
        '  proxy:',
        '    image: traefik:v3.1',
        '    command: [--api.dashboard=true, --api.insecure=false]',
        '  kv:',
        '    image: redis:7.4',
        '    volumes: ["./redis.conf:/usr/local/etc/redis/redis.conf:ro"]',
      ),
      'redis.conf': 'requirepass "${REDIS_PASSWORD}"\n# password = ""\n',
    };
    assert.deepEqual(runRule(rule, { files, env: { REDIS_PASSWORD: 'x' } }), []);
  });

  it('invalid: trust auth, empty-password switches, insecure APIs, open redis, empty config passwords', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: postgres:16',
        '    environment:',
        '      POSTGRES_HOST_AUTH_METHOD: trust',
        '  mysql:',
        '    image: mysql:8.4',
        '    environment:',
        '      - MYSQL_ALLOW_EMPTY_PASSWORD=yes',
        '  proxy:',
        '    image: traefik:v3.1',
        '    command:',
        '      - --providers.docker=true',
        '      - --api.insecure=true',
        '  cache:',
        '    image: redis:7.4',
        '    ports: ["6379:6379"]',
        '  app:',
        '    image: example/app:1.0',
        '    volumes: ["./conf:/etc/app:ro"]',
      ),
      'conf/app.ini': '[db]\nhost = db\npassword = ""\n',
    };
    const found = runRule(rule, { files });
    assert.deepEqual(places(found), [
      'compose.yaml:5:34',
      'compose.yaml:9:9',
      'compose.yaml:14:9',
      'compose.yaml:17:13',
      'conf/app.ini:3:1',
    ]);
    assert.match(found[0]!.message, /POSTGRES_HOST_AUTH_METHOD=trust/);
    assert.match(found[2]!.message, /Traefik/);
    assert.match(found[3]!.message, /without a password/);
    assert.equal(found[4]!.service, 'app');
  });
});

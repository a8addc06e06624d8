import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/default-credential.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('default-credential', () => {
  it('valid: strong passwords, required variables, and weak words that are not passwords', () => {
    const compose = lines(
      'services:',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      POSTGRES_USER: postgres',
      '      POSTGRES_DB: postgres',
      '      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}',
      '      REPLICA_PASSWORD: ${REPLICA_PASSWORD:-}',
      '      ADMIN_EMAIL: admin@example.com',
      '      CACHE_KEY: admin',
      '  api:',
      '    image: api:1',
      '    environment:',
      '      DATABASE_URL: postgres://postgres:${DB_PASSWORD}@db/app',
      '      API_PASSWORD: 7hV#k2Lp9qX!',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose, '.env': 'DB_PASSWORD=Zq8-vT3m-Lw9x-Pp2k\n' } });
    assert.deepEqual(findings, []);
  });

  it('invalid: product defaults, weak words, passwords equal to the user, weak fallbacks and URLs', () => {
    const compose = lines(
      'services:',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      POSTGRES_PASSWORD: postgres',
      '  mq:',
      '    image: rabbitmq:3-management',
      '    environment:',
      '      - RABBITMQ_DEFAULT_USER=guest',
      '      - RABBITMQ_DEFAULT_PASS=guest',
      '  wp:',
      '    image: wordpress:6',
      '    environment:',
      '      WORDPRESS_DB_USER: wordpress',
      '      WORDPRESS_DB_PASSWORD: wordpress',
      '  api:',
      '    image: api:1',
      '    environment:',
      '      ADMIN_PASSWORD: ${ADMIN_PASSWORD:-changeme}',
      '      DATABASE_URL: postgres://app:postgres@db:5432/app',
      '  cache:',
      '    image: redis:7',
      '    command: redis-server --requirepass ${REDIS_PASSWORD:-redis}',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), [
      'compose.yaml:5:26',
      'compose.yaml:10:9',
      'compose.yaml:15:30',
      'compose.yaml:19:23',
      'compose.yaml:20:21',
      'compose.yaml:23:14',
    ]);
    assert.deepEqual(findings.map((f) => f.service), ['db', 'mq', 'wp', 'api', 'api', 'cache']);
    assert.equal(findings[0]!.message, 'service "db": POSTGRES_PASSWORD uses the password "po***": a well-known default for PostgreSQL');
    assert.equal(findings[1]!.message, 'service "mq": RABBITMQ_DEFAULT_PASS uses the password "***": a well-known weak password');
    assert.equal(findings[2]!.message, 'service "wp": WORDPRESS_DB_PASSWORD uses the password "wo***": the same as the user name');
    assert.equal(
      findings[3]!.message,
      'service "api": ADMIN_PASSWORD uses the password "ch***" as the default used when ADMIN_PASSWORD is unset: a well-known weak password',
    );
    assert.equal(findings[3]!.fix?.startsWith('remove the default and require the variable: ${ADMIN_PASSWORD:?set ADMIN_PASSWORD}'), true);
    assert.match(findings[4]!.message, /DATABASE_URL has the password "po\*\*\*" in its URL: a well-known default for PostgreSQL/);
    assert.match(findings[5]!.message, /the command uses the password "\*\*\*" as the default used when REDIS_PASSWORD is unset: a well-known default for Redis/);
  });

  it('invalid: weak passwords in .env (even when git ignores it) and in mounted configuration files', () => {
    const compose = 'services:\n  cache:\n    image: redis:7\n    volumes:\n      - ./redis.conf:/etc/redis/redis.conf:ro\n';
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        '.env': 'ADMIN_USER=ops\nADMIN_PASSWORD=admin\n',
        '.gitignore': '.env\n',
        'redis.conf': 'port 6379\nrequirepass foobared\n',
      },
    });
    assert.deepEqual(places(findings), ['.env:2:16', 'redis.conf:2:13']);
    assert.deepEqual(findings.map((f) => f.service), [null, 'cache']);
  });

  it('invalid: a weak word, the user or the service name with digits added (seed 000), not other words', () => {
    const compose = lines(
      'services:',
      '  mysql:',
      '    image: mysql:8.4',
      '    environment:',
      '      - MYSQL_ROOT_PASSWORD=${MYSQL_ROOT_PASSWORD:-root123}',
      '      - MYSQL_USER=${MYSQL_USER:-astron}',
      '      - MYSQL_PASSWORD=${MYSQL_PASSWORD:-astron123}',
      '      - REPLICA_PASSWORD=mysql_2024!',
      '      - BACKUP_PASSWORD=harbor123',
      '      - EXPORT_PASSWORD=Kx93-root123-Lm4v',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:7:9', 'compose.yaml:8:9']);
    assert.equal(
      findings[0]!.message,
      'service "mysql": MYSQL_ROOT_PASSWORD uses the password "ro***" as the default used when MYSQL_ROOT_PASSWORD is unset: ' +
        'a well-known weak password ("root" with digits added)',
    );
    assert.equal(
      findings[1]!.message,
      'service "mysql": MYSQL_PASSWORD uses the password "as***" as the default used when MYSQL_PASSWORD is unset: the user name with digits added',
    );
    assert.match(findings[2]!.message, /REPLICA_PASSWORD uses the password "my\*\*\*": a well-known weak password \("mysql" with digits added\)$/);
  });

  it('invalid: public placeholders deployed as they are, literal or as the default of ${VAR:-…}, shown since they are public', () => {
    const compose = lines(
      'services:',
      '  auth:',
      '    image: supabase/gotrue:v2.158.1',
      '    environment:',
      '      GOTRUE_JWT_SECRET: your-super-secret-jwt-token-with-at-least-32-characters-long',
      '      API_EXTERNAL_URL: ${API_EXTERNAL_URL:-http://localhost:8000}',
      '  app:',
      '    image: example/app:1.0',
      '    environment:',
      '      SESSION_SECRET: ${SESSION_SECRET:-change-me}',
      '      JWT_ALGORITHM: HS256',
      '      OAUTH_SECRET: disabled',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:5:26', 'compose.yaml:10:23']);
    assert.match(findings[0]!.message, /"yo\*\*\*": a public placeholder/);
    assert.match(findings[1]!.message, /"ch\*\*\*" as the default used when SESSION_SECRET is unset: a well-known weak password/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/hardcoded-secret.js';
import { writeTree } from '../../../helpers/tmp.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('hardcoded-secret', () => {
  it('valid: references, *_FILE, /run/secrets, empty and non-secret values, runtime shell variables', () => {
    const compose = lines(
      'services:',
      '  db:',
      '    image: postgres:16',
      '    environment:',
      '      POSTGRES_PASSWORD: ${DB_PASSWORD}',
      '      POSTGRES_PASSWORD_FILE: /run/secrets/db',
      '      REDIS_PASSWORD: ""',
      '      PASSWORD_MIN_LENGTH: "12"',
      '      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"',
      '      VAULT_TOKEN: VAULT_TOKEN_FROM_CI',
      '      JWT_SECRET:',
      '      TOKEN_URL: https://auth.example.com/token',
      '      DATABASE_URL: postgres://app:${DB_PASSWORD:?}@db:5432/app',
      '      CACHE_KEY: users',
      '  api:',
      '    image: api:1.0',
      '    environment:',
      '      - API_TOKEN',
      '      - DATABASE_PASSWORD=/run/secrets/db-password',
      '    command: redis-server --requirepass "$${REDIS_PASSWORD}"',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "mysqladmin ping --password=\\"$$(cat /run/secrets/db)\\" --silent"]',
    );
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, '.env': 'DB_PASSWORD=Zq8-vT3m-Lw9x-Pp2k\n', '.gitignore': 'node_modules\n.env\n' },
      // Values taken from the shell compose runs in are not written in any file.
      env: { JWT_SECRET: 'from-the-shell-4f9a8b7c', API_TOKEN: 'from-the-shell-too-1a2b3c' },
    });
    assert.deepEqual(findings, []);
  });

  it('valid: files outside the project (host paths of the deploying machine) are not read', () => {
    const host = writeTree({ 'redis.conf': 'requirepass Kx93-pq1z-Lm4v\n', 'app.env': 'API_TOKEN=Kx93-pq1z-Lm4v-88\n' });
    const compose = `services:\n  cache:\n    image: redis:7\n    env_file: [${host}/app.env]\n    volumes: ["${host}/redis.conf:/etc/redis.conf:ro", "${host}:/host"]\n`;
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose } }), []);
  });

  it('valid: a well-known weak password is left to default-credential', () => {
    const compose = 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose } }), []);
  });

  it('valid: placeholders, and example files in a mounted folder (seed 004)', () => {
    const compose = lines(
      'services:',
      '  agent:',
      '    build: .',
      '    volumes: [".:/app"]',
      '    environment:',
      '      JWT_SECRET: your_jwt_secret_key_minimum_32_characters',
      '      API_TOKEN: <paste-token>',
      '      STRIPE_SECRET_KEY: sk_live_...',
      '      SESSION_SECRET: xxxxxxxxxxxxxxxx',
      '      SIGNING_KEY: put-your-signing-key-here',
    );
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        Dockerfile: 'FROM python:3.12-slim\n',
        '.env.example': 'JWT_SECRET=Kx93-pq1z-Lm4v-Qr7t\n',
        'settings.sample.ini': 'password = Kx93-pq1z-Lm4v\n',
      },
    });
    assert.deepEqual(findings, []);
  });

  it('invalid: an example file the mount names is deployed as it is; change_me values are no placeholders', () => {
    const compose = lines(
      'services:',
      '  app:',
      '    image: app:1',
      '    volumes: ["./app.example.env:/etc/app/app.env:ro"]',
      '    environment:',
      '      SESSION_SECRET: session_secret_change_me_9f2',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose, 'app.example.env': 'JWT_SECRET=Kx93-pq1z-Lm4v-Qr7t\n' } });
    assert.deepEqual(places(findings), ['compose.yaml:6:23', 'app.example.env:1:12']);
  });

  it('invalid: literal secrets in environment (both forms), URLs, tokens, build args and command lines', () => {
    const compose = lines(
      'services:',
      '  db:',
      '    image: mysql:8',
      '    environment:',
      '      MYSQL_ROOT_PASSWORD: whalehello',
      '  api:',
      '    build:',
      '      context: .',
      '      args:',
      '        NPM_TOKEN: npm_abcdefghijklmnopqrstuvwxyz0123456789',
      '    environment:',
      '      - DATABASE_URL=mysql://app:s3cr3t-pw@db:3306/app',
      '      - GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      '      - APP_KEY=base64:Q2hhbmdlVGhpc0tleTEyMzQ1Njc4OTA=',
      '    command: ["redis-server", "--requirepass", "r3dis-pass"]',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "sqlcmd -S localhost -U sa -P example_123 -Q \'SELECT 1\'"]',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: 'FROM node:20\n' } });
    assert.deepEqual(places(findings), [
      'compose.yaml:5:28',
      'compose.yaml:12:9',
      'compose.yaml:13:9',
      'compose.yaml:14:9',
      'compose.yaml:10:20',
      'compose.yaml:15:48',
      'compose.yaml:17:27',
    ]);
    assert.deepEqual(
      findings.map((f) => [f.service, f.severity]),
      [['db', 'high'], ['api', 'high'], ['api', 'high'], ['api', 'high'], ['api', 'high'], ['api', 'high'], ['api', 'high']],
    );
    assert.equal(findings[0]!.message, 'service "db": MYSQL_ROOT_PASSWORD is a hardcoded secret ("wh***")');
    assert.match(findings[1]!.message, /DATABASE_URL has the password "s3\*\*\*" written into its URL/);
    assert.match(findings[2]!.message, /GITHUB_TOKEN contains a GitHub token/);
    assert.match(findings[4]!.message, /build argument NPM_TOKEN contains an npm token \("np\*\*\*"\)/);
    assert.match(findings[5]!.message, /--requirepass "r3\*\*\*"/);
    assert.match(findings[6]!.message, /the healthcheck passes a hardcoded password on the command line \(-P "ex\*\*\*"\)/);
    for (const f of findings) assert.doesNotMatch(f.message, /whalehello|s3cr3t-pw|r3dis-pass|example_123|abcdefghij/);
  });

  it('invalid: a value from an anchor is reported once, where the anchor writes it', () => {
    const compose = lines(
      'x-env: &env',
      '  SESSION_SECRET: 9f8e7d6c5b4a3928',
      'services:',
      '  a:',
      '    image: a:1',
      '    environment: *env',
      '  b:',
      '    image: b:1',
      '    environment:',
      '      <<: *env',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:2:19']);
  });

  it('invalid: .env and env_file lines, unless git ignores the file', () => {
    const compose = 'services:\n  api:\n    image: api:1\n    env_file: [config/app.env, local.env]\n';
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        '.env': '# project settings\nCOMPOSE_PROJECT_NAME=shop\nexport STRIPE_SECRET_KEY="sk_test_4eC39HqLyjWDarjtT1zdp7dc"\n',
        'config/app.env': 'LOG_LEVEL=info\nDB_PASSWORD=Tr0ub4dor&3\nDB_HOST=db\n',
        'local.env': 'SMTP_PASSWORD=n0t-in-git-9123\n',
        '.gitignore': '/local.env\n',
      },
    });
    assert.deepEqual(places(findings), ['.env:3:26', 'config/app.env:2:13']);
    assert.equal(findings[0]!.service, null);
    assert.equal(findings[0]!.message, '.env: STRIPE_SECRET_KEY is set to a literal secret ("sk***")');
    assert.equal(findings[1]!.service, 'api');
  });

  it('invalid: secrets in bind-mounted configuration files (redis requirepass, ini password), not in source code', () => {
    const compose = lines(
      'services:',
      '  cache:',
      '    image: redis:7',
      '    command: redis-server /usr/local/etc/redis/redis.conf',
      '    volumes:',
      '      - ./config/redis.conf:/usr/local/etc/redis/redis.conf:ro',
      '  app:',
      '    image: app:1',
      '    volumes:',
      '      - ./settings:/etc/app',
      '      - ./src:/app/src',
    );
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        'config/redis.conf': '# requirepass foobared\nbind 0.0.0.0\nrequirepass redis_secure_pass_change_me\nmaxmemory 256mb\n',
        'settings/app.ini': '[database]\nhost = db\npassword = "Kx93-pq1z-Lm4v" ; prod\npassword_encryption = scram-sha-256\n',
        'settings/readme.txt': 'password = not-a-config-file\n',
        'src/db.py': 'password = "hardcoded-in-code-but-not-config"\n',
      },
    });
    assert.deepEqual(places(findings), ['config/redis.conf:3:13', 'settings/app.ini:3:13']);
    assert.equal(
      findings[0]!.message,
      'config/redis.conf (mounted into service "cache"): requirepass is set to a literal secret ("re***")',
    );
    assert.deepEqual(findings.map((f) => f.service), ['cache', 'app']);
  });
});

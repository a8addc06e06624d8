import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretName, maskEnvironment, maskValue } from '../../src/analyze/mask.js';

describe('isSecretName', () => {
  it('finds secrets by any naming style', () => {
    for (const name of [
      'MYSQL_ROOT_PASSWORD', 'dbPassword', 'DB_PASS', 'SMTP_PWD', 'DB_PASSWD', 'JWT_SECRET', 'AWS_SECRET_ACCESS_KEY',
      'GITHUB_TOKEN', 'API_KEY', 'apiKey', 'SECRET_KEY', 'APP_KEY', 'PRIVATE_KEY', 'REDIS_AUTH', 'BASIC_AUTH',
      'client-secret', 'oauth.credentials', 'KEY', 'SSH_HOST_KEY',
    ]) {
      assert.equal(isSecretName(name), true, name);
    }
  });

  it('leaves names that describe a secret, or are not about one', () => {
    for (const name of [
      'POSTGRES_PASSWORD_FILE', 'TOKEN_TTL', 'SECRET_NAME', 'POSTGRES_HOST_AUTH_METHOD', 'AWS_ACCESS_KEY_ID', 'PWD',
      'ROUTING_KEY', 'PUBLIC_KEY', 'DB_HOST', 'PATH', 'USER', 'TOKEN_URL', 'PASSWORD_MIN_LENGTH', 'KEYCLOAK_REALM',
    ]) {
      assert.equal(isSecretName(name), false, name);
    }
  });
});

describe('maskValue', () => {
  it('masks the password of a URL and keeps user, host, port and path', () => {
    assert.equal(maskValue('postgres://user:s3cret@db:5432/app'), 'postgres://user:***@db:5432/app');
    assert.equal(maskValue('redis://:s3cret@cache:6379/0'), 'redis://:***@cache:6379/0');
    assert.equal(maskValue('mongodb://root:pw@a:27017,b:27017/x?replicaSet=rs'), 'mongodb://root:***@a:27017,b:27017/x?replicaSet=rs');
    assert.equal(maskValue('jdbc:mysql://app:pw@db/app'), 'jdbc:mysql://app:***@db/app');
  });

  it('masks all of a password holding an unencoded @', () => {
    assert.equal(maskValue('postgres://u:p@ss@db/x'), 'postgres://u:***@db/x');
  });

  it('keeps URLs without credentials, user names, and references', () => {
    assert.equal(maskValue('http://api:8000/v1'), 'http://api:8000/v1');
    assert.equal(maskValue('postgres://postgres@db/app'), 'postgres://postgres@db/app');
    assert.equal(maskValue('postgres://u:${DB_PASSWORD}@db/app'), 'postgres://u:${DB_PASSWORD}@db/app');
  });

  it('masks a token used as the user part', () => {
    assert.equal(maskValue('https://ghp_0123456789abcdefABCD@github.com/o/r.git'), 'https://***@github.com/o/r.git');
  });

  it('masks passwords in connection strings, query parameters and flags', () => {
    assert.equal(maskValue('Server=db;Database=app;User Id=sa;Password=Pa55;'), 'Server=db;Database=app;User Id=sa;Password=***;');
    assert.equal(maskValue('Server=db; pwd = x1'), 'Server=db; pwd = ***');
    assert.equal(maskValue('http://api/x?token=abc&page=2'), 'http://api/x?token=***&page=2');
    assert.equal(maskValue('--appendonly yes --requirepass hunter2'), '--appendonly yes --requirepass ***');
    assert.equal(maskValue('--password=hunter2'), '--password=***');
  });
});

describe('maskEnvironment', () => {
  it('masks secret-named values and the secrets inside other values, and nothing else', () => {
    assert.deepEqual(
      maskEnvironment({
        POSTGRES_PASSWORD: 'example',
        POSTGRES_PASSWORD_FILE: '/run/secrets/db-password',
        DB_PASSWORD: '${DB_PASSWORD}',
        API_TOKEN: '/run/secrets/token',
        REDIS_PASSWORD: '',
        JWT_SECRET: null,
        DATABASE_URL: 'postgres://user:pw@db:5432/app',
        LOG_LEVEL: 'info',
      }),
      {
        POSTGRES_PASSWORD: '***',
        POSTGRES_PASSWORD_FILE: '/run/secrets/db-password',
        DB_PASSWORD: '${DB_PASSWORD}',
        API_TOKEN: '/run/secrets/token',
        REDIS_PASSWORD: '',
        JWT_SECRET: null,
        DATABASE_URL: 'postgres://user:***@db:5432/app',
        LOG_LEVEL: 'info',
      },
    );
  });
});

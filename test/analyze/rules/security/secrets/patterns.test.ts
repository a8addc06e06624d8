import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findToken, isNotASecret, mask, secretKeyStrength, urlCredentials } from '../../../../../src/analyze/rules/security/secrets/patterns.js';
import { weakness } from '../../../../../src/analyze/rules/security/secrets/weak-passwords.js';

describe('secrets/patterns', () => {
  it('secretKeyStrength: names that hold a secret, not names that describe one', () => {
    const strong = ['POSTGRES_PASSWORD', 'GITEA__database__PASSWD', 'WEBPASSWORD', 'clientSecret', 'GITHUB_TOKEN', 'API_KEY', 'AWS_SECRET_ACCESS_KEY', 'REDIS_PASS'];
    for (const key of strong) assert.equal(secretKeyStrength(key), 'strong', key);
    const none = ['POSTGRES_PASSWORD_FILE', 'PASSWORD_MIN_LENGTH', 'TOKEN_URL', 'AWS_ACCESS_KEY_ID', 'JWT_PUBLIC_KEY', 'password_encryption', 'POSTGRES_USER', 'PWD', 'BYPASS'];
    for (const key of none) assert.equal(secretKeyStrength(key), undefined, key);
    assert.equal(secretKeyStrength('APP_KEY'), 'weak');
  });

  it('isNotASecret, findToken, urlCredentials, mask', () => {
    for (const v of ['', 'yes', '/run/secrets/db', './db.txt', 'DB_PASSWORD', '<password>', 'xxxx', '12', '30s', 'https://example.com/x']) {
      assert.equal(isNotASecret(v), true, v);
    }
    assert.equal(isNotASecret('hunter2'), false);
    // Settings that describe a secret rather than hold one.
    for (const v of ['HS256', 'RS512', 'sha256', 'bcrypt', 'argon2id', 'aes-256-gcm', 'disabled', 'DISABLED', 'include /etc/redis/auth.conf', '@include common-auth', '1.5', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx user@host', '-----BEGIN PUBLIC KEY-----\nMIIBIjAN']) {
      assert.equal(isNotASecret(v), true, v);
    }
    assert.equal(findToken('key AKIAIOSFODNN7EXAMPLE here')?.label, 'an AWS access key ID');
    assert.equal(findToken('-----BEGIN OPENSSH PRIVATE KEY-----')?.label, 'a private key');
    assert.deepEqual(urlCredentials('redis://:s3cret@cache:6379/0'), { scheme: 'redis', user: '', password: 's3cret' });
    assert.equal(urlCredentials('postgres://db:5432/app'), undefined);
    assert.equal(mask('whalehello'), 'wh***');
    assert.equal(mask('abc'), '***');
  });

  it('weakness: weak words, product defaults, user names, exact matches only', () => {
    const ctx = { key: 'POSTGRES_PASSWORD', hints: ['postgres'], users: ['app'], names: ['db'] };
    assert.equal(weakness('Admin', ctx), 'a well-known weak password');
    assert.equal(weakness('postgres', ctx), 'a well-known default for PostgreSQL');
    assert.equal(weakness('postgres', { ...ctx, key: 'API_PASSWORD', hints: ['api'] }), undefined);
    assert.equal(weakness('app', ctx), 'the same as the user name');
    assert.equal(weakness('redis_secure_pass_change_me', ctx), undefined);
    // Sample values from documentation, deployed unchanged.
    for (const v of ['your-super-secret-jwt-token-with-at-least-32-characters-long', 'your_secret_key', 'please-change-me', 'change-this', 'super-secret-key', 'secret-password']) {
      assert.equal(weakness(v, ctx), 'a public placeholder from sample configuration, deployed as it is', v);
    }
    assert.equal(weakness('yourself-Kx93-pq1z', ctx), undefined);
  });
});

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Webhook secrets must be readable to sign with, so they are encrypted, not hashed: AES-256-GCM
 * with a key derived from the manager's signing secret (JWT_SECRET, or the one it keeps in the
 * database). The database alone does not give them away; with JWT_SECRET too, it does, as it
 * gives every key (docs/alerts.md).
 */
function keyOf(managerSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', managerSecret, 'shipshape-webhooks', 'webhook-secret-v1', 32));
}

export function sealSecret(secret: string, managerSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(managerSecret), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
}

export function openSecret(sealed: string, managerSecret: string): string {
  if (!sealed.startsWith('v1.')) throw new Error('unknown sealed-secret format');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(managerSecret), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** `X-Shipshape-Signature`: `sha256=` and the hex HMAC-SHA256 of the exact body bytes. */
export function signatureOf(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Role } from '../../contract/index.js';

/**
 * Admin keys and server keys are HS256 JWTs (`sub`, `role`, `jti`) signed with JWT_SECRET, so
 * that machine-lab agents, which only check the signature, accept them. The manager stores only
 * their SHA-256 and looks that up on every request: a key is valid while its hash is on record
 * and not revoked, whatever its signature says.
 */

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateSecret(): string {
  return randomBytes(48).toString('base64url');
}

export interface AdminKeyClaims {
  userId: string;
  role: Role;
  jti: string;
  /** Seconds. */
  issuedAt: number;
  /** Seconds; null: no `exp` claim. */
  expiresAt: number | null;
}

export function mintAdminKey(secret: string, claims: AdminKeyClaims): Promise<string> {
  const jwt = new SignJWT({ role: claims.role, jti: claims.jti })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt(claims.issuedAt);
  if (claims.expiresAt !== null) jwt.setExpirationTime(claims.expiresAt);
  return jwt.sign(encode(secret));
}

/**
 * A host's server key. HMAC signatures are deterministic, so the same claims give the same key
 * byte for byte: the manager keeps only the hash and the claims, and signs the key again when it
 * has to present it to the agent (which compares it with its SERVER_KEY).
 */
export function mintServerKey(secret: string, claims: { hostId: string; jti: string; issuedAt: number }): Promise<string> {
  return new SignJWT({ role: 'host', jti: claims.jti })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.hostId)
    .setIssuedAt(claims.issuedAt)
    .sign(encode(secret));
}

/** The claims of a well-signed, unexpired key; undefined for anything else. */
export async function verifyKey(secret: string, key: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(key, encode(secret), { algorithms: ['HS256'] });
    return payload;
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

function encode(secret: string): Uint8Array {
  return encoder.encode(secret);
}

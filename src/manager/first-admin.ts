import { randomBytes, randomUUID } from 'node:crypto';
import type { ManagerConfig } from './config.js';
import { hashPassword } from './security/passwords.js';
import type { Repository } from './storage/repository.js';

export interface InitialAdmin {
  email: string;
  /** Present only when it was generated: shown once, never stored in clear. */
  password?: string;
  generated: boolean;
}

export const GENERATED_ADMIN_EMAIL = 'admin@shipshape.local';

/**
 * The first admin: ADMIN_EMAIL/ADMIN_PASSWORD when given (created if missing, never
 * overwritten), otherwise, on a database without users, one with a generated password. There is
 * no fixed default password. Two replicas starting together create it once: the e-mail is unique.
 */
export async function ensureFirstAdmin(repo: Repository, config: ManagerConfig, now: number): Promise<InitialAdmin | undefined> {
  if (config.adminEmail !== undefined && config.adminPassword !== undefined) {
    if (await repo.findUserByEmail(config.adminEmail)) return undefined;
    const created = await repo.createUser({ id: randomUUID(), email: config.adminEmail, passwordHash: await hashPassword(config.adminPassword), role: 'admin', createdAt: now });
    return created ? { email: config.adminEmail, generated: false } : undefined;
  }
  if ((await repo.countUsers()) > 0) return undefined;
  const email = config.adminEmail ?? GENERATED_ADMIN_EMAIL;
  const password = randomBytes(18).toString('base64url');
  const created = await repo.createUser({ id: randomUUID(), email, passwordHash: await hashPassword(password), role: 'admin', createdAt: now });
  return created ? { email, password, generated: true } : undefined;
}

import type { Role } from '../../contract/index.js';

/** The user behind a request, as the authentication hook found them. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  /** The presented key's id, so logout can revoke exactly that key. */
  jti: string;
  via: 'header' | 'cookie';
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

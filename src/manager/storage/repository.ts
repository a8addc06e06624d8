import { DEPLOYMENT_STATES, LIVE_DEPLOYMENT_STATES, type DeploymentState, type HostStatus, type Role } from '../../contract/index.js';
import { UniqueViolation, type Database, type Notifications, type Queryable, type Row, type SqlValue } from './database.js';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  failedLogins: number;
  lockedUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKeyRecord {
  jti: string;
  userId: string;
  keyHash: string;
  issuedAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface HostRecord {
  id: string;
  hostname: string;
  ip: string;
  sshPort: number;
  apiPort: number;
  maxContainers: number;
  status: HostStatus;
  lastSeen: number | null;
  cpuPercent: number;
  memPercent: number;
  diskPercent: number | null;
  load: number | null;
  containers: number;
  dockerOk: boolean | null;
  agentVersion: string | null;
  /** Deployments placed here that have not failed or been removed: what capacity counts. */
  activeDeployments: number;
  keyJti: string;
  keyHash: string;
  /** Seconds (a JWT's `iat`), so the server key can be signed again byte for byte. */
  keyIssuedAt: number;
  /** SHA-256 of the enrolled agent's certificate; null for a host registered by POST /hosts (plain HTTP, key only). */
  agentCertSha256: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EnrollmentTokenRecord {
  id: string;
  tokenHash: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number;
  /** Hosts it may enroll; 1 unless given. */
  maxUses?: number;
}

/** A just-registered host: offline and without figures until its first heartbeat. */
export function newHostRecord(
  fields: Pick<HostRecord, 'id' | 'hostname' | 'ip' | 'sshPort' | 'apiPort' | 'maxContainers' | 'keyJti' | 'keyHash' | 'keyIssuedAt'> & Partial<Pick<HostRecord, 'agentCertSha256'>>,
  at: number,
): HostRecord {
  return {
    agentCertSha256: null,
    ...fields,
    status: 'offline',
    lastSeen: null,
    cpuPercent: 0,
    memPercent: 0,
    diskPercent: null,
    load: null,
    containers: 0,
    dockerOk: null,
    agentVersion: null,
    activeDeployments: 0,
    createdAt: at,
    updatedAt: at,
  };
}

export type HostPatch = Partial<Pick<HostRecord, 'hostname' | 'ip' | 'sshPort' | 'apiPort' | 'maxContainers'>>;

export interface HeartbeatFigures {
  cpu: number;
  mem: number;
  containers: number;
  disk: number | null;
  load: number | null;
  dockerOk: boolean | null;
  agentVersion: string | null;
}

/** `online`: accepted and the host was online already; `came-online`: accepted, it was offline. */
export type HeartbeatOutcome = 'online' | 'came-online' | 'unknown-host' | 'wrong-key';

export interface DeploymentRecord {
  id: string;
  name: string;
  hostId: string | null;
  userId: string | null;
  source: 'launch' | 'compose';
  state: DeploymentState;
  reason: string | null;
  /** JSON text. */
  findings: string;
  /** JSON text. */
  agentResponse: string | null;
  createdBy: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** A delete was asked for and is carried out once the agent can (docs/manager.md, "Deployments"). */
  removeRequestedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewDeployment {
  id: string;
  name: string;
  userId: string | null;
  source: 'launch' | 'compose';
  findings: string;
  createdBy: string | null;
  /** The manager that will deploy it, and until when that claim holds without a renewal. */
  leaseOwner: string | null;
  leaseUntil: number | null;
}

export type Placement = { ok: true; deployment: DeploymentRecord; host: HostRecord } | { ok: false };

export interface DeploymentTransition {
  reason?: string | null;
  agentResponse?: string | null;
  leaseOwner?: string | null;
  leaseUntil?: number | null;
}

export interface AuditRecord {
  id: string;
  at: number;
  actor: string | null;
  actorRole: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  ip: string | null;
  requestId: string | null;
  /** JSON text. */
  details: string | null;
}

export interface AuditQuery {
  limit: number;
  /** Entries strictly older than this id (ids sort by time). */
  before?: string;
  action?: string;
  actor?: string;
  /** What the entry is about: a deployment, host or user id. */
  target?: string;
}

/** Everything the manager stores, behind one interface; `SqlRepository` serves both databases. */
export interface Repository {
  readonly dialect: Database['dialect'];
  /** Cross-process notifications, where the database has them (PostgreSQL). */
  readonly notifications: Notifications | undefined;
  /** The database itself, for stores of their own (src/manager/fleet). */
  readonly database: Database;
  getSetting(key: string): Promise<string | undefined>;
  /** Stores `value` unless the key has one already; returns the value that is stored. */
  putSettingIfAbsent(key: string, value: string): Promise<string>;

  createUser(user: Omit<UserRecord, 'failedLogins' | 'lockedUntil' | 'updatedAt'>): Promise<boolean>;
  countUsers(): Promise<number>;
  countAdmins(): Promise<number>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(id: string, patch: { role?: Role; passwordHash?: string; unlock?: boolean }, now: number): Promise<UserRecord | undefined>;
  deleteUser(id: string): Promise<boolean>;
  /** Counts a failed login; the failure that reaches `maxFailures` locks the account until `now + lockMs`. */

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  findKeyOwner(keyHash: string): Promise<{ key: ApiKeyRecord; user: UserRecord } | undefined>;
  revokeKey(jti: string, now: number): Promise<boolean>;
  /** Revokes every live key of the user but `exceptJti`; returns how many. */
  revokeUserKeys(userId: string, now: number, exceptJti?: string): Promise<number>;

  insertHost(host: HostRecord): Promise<void>;
  getHost(id: string): Promise<HostRecord | undefined>;
  findHostByAddress(ip: string, apiPort: number): Promise<HostRecord | undefined>;
  listHosts(): Promise<HostRecord[]>;
  updateHost(id: string, patch: HostPatch, now: number): Promise<HostRecord | undefined>;
  /** `busy`: deployments live there and `force` was not given; with it they end failed. */
  deleteHost(id: string, force: boolean, now: number): Promise<'deleted' | 'not-found' | 'busy'>;
  setHostKey(id: string, key: { jti: string; hash: string; issuedAt: number }, now: number): Promise<boolean>;
  /** Records a heartbeat if `keyHash` is the host's current key: one UPDATE on the usual path. */
  heartbeat(id: string, keyHash: string, figures: HeartbeatFigures, now: number): Promise<HeartbeatOutcome>;

  /** The certificate an agent now serves and calls with (the local agent gets a new one each start). */
  setHostCertificate(id: string, sha256: string | null, now: number): Promise<boolean>;
  insertEnrollmentToken(token: EnrollmentTokenRecord): Promise<void>;
  /** Whether a token is known, unused and unexpired: a cheap look before any work is done for it (enrollHost still decides). */
  enrollmentTokenUsable(tokenHash: string, now: number): Promise<boolean>;
  /**
   * Spends the token and registers the host, in one transaction: `invalid-token` when it is
   * unknown, used or expired, `address-taken` when a host is registered at that address; in both
   * cases nothing changes (the token stays as it was).
   */
  enrollHost(tokenHash: string, host: HostRecord, now: number): Promise<'enrolled' | 'invalid-token' | 'address-taken'>;
  /** Marks offline the online hosts last seen before `cutoff`; returns them. */
  markOffline(cutoff: number, now: number): Promise<{ id: string; hostname: string }[]>;
  countHostsByStatus(): Promise<Record<HostStatus, number>>;
  /** The oldest heartbeat among online hosts. */
  oldestOnlineHeartbeat(): Promise<number | null>;

  /**
   * Reserves a slot and records the deployment, in one transaction: on an online host with room,
   * a working Docker engine and memory below 90 %, the one with the fewest deployments, then the
   * lowest load (the higher of CPU and memory). A busy CPU only ranks a host lower: CPU use is
   * spiky, and a lone busy host should still take work rather than fail it.
   */
  /** Reserves a slot on the best online host with room (only `onHost`, when given) and records the deployment there. */
  placeDeployment(deployment: NewDeployment, now: number, onHost?: string): Promise<Placement>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(filter?: { hostId?: string; state?: DeploymentState; limit?: number }): Promise<DeploymentRecord[]>;
  /** Moves a deployment from one of `from` to `to`; `failed` and `removed` give its slot back (and a move back to a live state takes it again). Undefined if it was in none of `from`. */
  transitionDeployment(id: string, from: readonly DeploymentState[], to: DeploymentState, change: DeploymentTransition, now: number): Promise<DeploymentRecord | undefined>;
  renewDeploymentLease(id: string, owner: string, until: number): Promise<boolean>;
  /** Deletes the record (and its stored package) and gives its slot back; returns what it was. */
  removeDeployment(id: string): Promise<DeploymentRecord | undefined>;
  /** Keeps the package a deployment was made from, so that it can be hardened later (docs/harden.md). */
  saveDeploymentPackage(id: string, zip: Buffer, now: number): Promise<void>;
  /** The package a deployment was made from; undefined for one made before packages were kept. */
  getDeploymentPackage(id: string): Promise<Buffer | undefined>;
  /** Deployments in flight whose manager stopped renewing their lease (it died or restarted). */
  orphanedDeployments(now: number): Promise<DeploymentRecord[]>;
  /** Records that the deployment is to be taken down once its agent can; its name and slot stay taken until then. */
  requestRemoval(id: string, reason: string, now: number): Promise<DeploymentRecord | undefined>;
  /** Deployments whose removal was asked for and not yet confirmed by their agent. */
  pendingRemovals(): Promise<DeploymentRecord[]>;
  countDeploymentsByState(): Promise<Record<DeploymentState, number>>;
  /**
   * Ends the claims other managers hold on deployments in flight, so the next reconciliation
   * settles them at once: for a manager starting on a database only it uses (SQLite).
   */
  releaseForeignLeases(owner: string): Promise<number>;

  insertAudit(entry: AuditRecord): Promise<void>;
  /** Many entries, a few hundred per transaction: a monitor round may take 10,000 hosts offline. */
  insertAudits(entries: readonly AuditRecord[]): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** Removes entries older than `before` (ms) and all but the newest `keep` (0: no cap); returns how many went. */
  pruneAudit(before: number, keep: number): Promise<number>;

  /** Takes or renews the named lease for `owner`; false while another owner holds it. */
  tryLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;

  close(): Promise<void>;
}

/** States that hold a slot on their host (and their name): the stack exists there or is being made. */
const LIVE_STATES = `(${LIVE_DEPLOYMENT_STATES.map((s) => `'${s}'`).join(', ')})`;
const IN_FLIGHT_STATES = "('pending', 'deploying')";

const HOST_COLUMNS =
  'id, hostname, ip, ssh_port, api_port, max_containers, status, last_seen, cpu_percent, mem_percent, disk_percent, load_avg, ' +
  'containers, docker_ok, agent_version, active_deployments, key_jti, key_hash, key_issued_at, agent_cert_sha256, created_at, updated_at';
const DEPLOYMENT_COLUMNS =
  'id, name, host_id, user_id, source, state, reason, findings, agent_response, created_by, lease_owner, lease_until, remove_requested_at, created_at, updated_at';
const USER_COLUMNS = 'id, email, password_hash, role, failed_logins, locked_until, created_at, updated_at';

/** The one implementation of `Repository`: the same SQL on SQLite and PostgreSQL. */
export class SqlRepository implements Repository {
  constructor(private readonly db: Database) {}

  get dialect(): Database['dialect'] {
    return this.db.dialect;
  }

  get notifications(): Notifications | undefined {
    return this.db.notifications;
  }

  get database(): Database {
    return this.db;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = await this.db.get('SELECT value FROM settings WHERE key = ?', [key]);
    return row ? String(row.value) : undefined;
  }

  async putSettingIfAbsent(key: string, value: string): Promise<string> {
    await this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getSetting(key)) ?? value;
  }

  // --- users ---------------------------------------------------------------------------------

  async createUser(user: Omit<UserRecord, 'failedLogins' | 'lockedUntil' | 'updatedAt'>): Promise<boolean> {
    const { changes } = await this.db.run(
      'INSERT INTO users (id, email, password_hash, role, failed_logins, locked_until, created_at, updated_at) VALUES (?, ?, ?, ?, 0, NULL, ?, ?) ON CONFLICT (email) DO NOTHING',
      [user.id, user.email, user.passwordHash, user.role, user.createdAt, user.createdAt],
    );
    return changes === 1;
  }

  async countUsers(): Promise<number> {
    return count(await this.db.get('SELECT COUNT(*) AS n FROM users'));
  }

  async countAdmins(): Promise<number> {
    return count(await this.db.get("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'"));
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    return mapOptional(await this.db.get(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, [email.toLowerCase()]), toUser);
  }

  async findUserById(id: string): Promise<UserRecord | undefined> {
    return mapOptional(await this.db.get(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]), toUser);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.all(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, email`)).map(toUser);
  }

  async updateUser(id: string, patch: { role?: Role; passwordHash?: string; unlock?: boolean }, now: number): Promise<UserRecord | undefined> {
    const sets: string[] = ['updated_at = ?'];
    const params: SqlValue[] = [now];
    if (patch.role !== undefined) {
      sets.push('role = ?');
      params.push(patch.role);
    }
    if (patch.passwordHash !== undefined) {
      sets.push('password_hash = ?');
      params.push(patch.passwordHash);
    }
    if (patch.unlock) sets.push('failed_logins = 0', 'locked_until = NULL');
    params.push(id);
    return mapOptional(await this.db.get(`UPDATE users SET ${sets.join(', ')} WHERE id = ? RETURNING ${USER_COLUMNS}`, params), toUser);
  }

  async deleteUser(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM users WHERE id = ?', [id])).changes === 1;
  }

  // --- api keys ------------------------------------------------------------------------------

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    await this.db.run('INSERT INTO api_keys (jti, user_id, key_hash, issued_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)', [
      key.jti,
      key.userId,
      key.keyHash,
      key.issuedAt,
      key.expiresAt,
      key.revokedAt,
    ]);
  }

  async findKeyOwner(keyHash: string): Promise<{ key: ApiKeyRecord; user: UserRecord } | undefined> {
    const row = await this.db.get(
      `SELECT k.jti, k.user_id, k.key_hash, k.issued_at, k.expires_at, k.revoked_at,
              u.id, u.email, u.password_hash, u.role, u.failed_logins, u.locked_until, u.created_at, u.updated_at
       FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?`,
      [keyHash],
    );
    if (!row) return undefined;
    return {
      key: {
        jti: String(row.jti),
        userId: String(row.user_id),
        keyHash: String(row.key_hash),
        issuedAt: Number(row.issued_at),
        expiresAt: nullableNumber(row.expires_at),
        revokedAt: nullableNumber(row.revoked_at),
      },
      user: toUser(row),
    };
  }

  async revokeKey(jti: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE api_keys SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL', [now, jti])).changes === 1;
  }

  async revokeUserKeys(userId: string, now: number, exceptJti?: string): Promise<number> {
    const { changes } = await this.db.run('UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND jti <> ?', [
      now,
      userId,
      exceptJti ?? '',
    ]);
    return changes;
  }

  // --- hosts ---------------------------------------------------------------------------------

  async insertHost(host: HostRecord): Promise<void> {
    await insertHostRow(this.db, host);
  }

  async getHost(id: string): Promise<HostRecord | undefined> {
    return mapOptional(await this.db.get(`SELECT ${HOST_COLUMNS} FROM hosts WHERE id = ?`, [id]), toHost);
  }

  async findHostByAddress(ip: string, apiPort: number): Promise<HostRecord | undefined> {
    return mapOptional(await this.db.get(`SELECT ${HOST_COLUMNS} FROM hosts WHERE ip = ? AND api_port = ?`, [ip, apiPort]), toHost);
  }

  async listHosts(): Promise<HostRecord[]> {
    return (await this.db.all(`SELECT ${HOST_COLUMNS} FROM hosts ORDER BY hostname, id`)).map(toHost);
  }

  async updateHost(id: string, patch: HostPatch, now: number): Promise<HostRecord | undefined> {
    const columns: [keyof HostPatch, string][] = [
      ['hostname', 'hostname'],
      ['ip', 'ip'],
      ['sshPort', 'ssh_port'],
      ['apiPort', 'api_port'],
      ['maxContainers', 'max_containers'],
    ];
    const sets = ['updated_at = ?'];
    const params: SqlValue[] = [now];
    for (const [field, column] of columns) {
      const value = patch[field];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value);
    }
    params.push(id);
    return mapOptional(await this.db.get(`UPDATE hosts SET ${sets.join(', ')} WHERE id = ? RETURNING ${HOST_COLUMNS}`, params), toHost);
  }

  async deleteHost(id: string, force: boolean, now: number): Promise<'deleted' | 'not-found' | 'busy'> {
    return this.db.transaction(async (tx) => {
      const host = await tx.get('SELECT id FROM hosts WHERE id = ?', [id]);
      if (!host) return 'not-found';
      const live = count(await tx.get(`SELECT COUNT(*) AS n FROM deployments WHERE host_id = ? AND state IN ${LIVE_STATES}`, [id]));
      if (live > 0 && !force) return 'busy';
      await tx.run(
        `UPDATE deployments SET state = 'failed', reason = 'host deleted', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE host_id = ? AND state IN ${LIVE_STATES}`,
        [now, id],
      );
      await tx.run('DELETE FROM hosts WHERE id = ?', [id]);
      return 'deleted';
    });
  }

  async setHostKey(id: string, key: { jti: string; hash: string; issuedAt: number }, now: number): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE hosts SET key_jti = ?, key_hash = ?, key_issued_at = ?, updated_at = ? WHERE id = ?', [
      key.jti,
      key.hash,
      key.issuedAt,
      now,
      id,
    ]);
    return changes === 1;
  }

  async heartbeat(id: string, keyHash: string, figures: HeartbeatFigures, now: number): Promise<HeartbeatOutcome> {
    const values: SqlValue[] = [
      now,
      Math.round(figures.cpu),
      Math.round(figures.mem),
      figures.containers,
      figures.disk === null ? null : Math.round(figures.disk),
      figures.load,
      bool(figures.dockerOk),
      figures.agentVersion,
      now,
      id,
      keyHash,
    ];
    const set =
      "UPDATE hosts SET status = 'online', last_seen = ?, cpu_percent = ?, mem_percent = ?, containers = ?, disk_percent = ?, load_avg = ?, " +
      'docker_ok = ?, agent_version = ?, updated_at = ? WHERE id = ? AND key_hash = ?';
    // The key check is in the WHERE clause, so a key rotated a moment ago cannot slip through.
    if ((await this.db.runEphemeral(`${set} AND status = 'online'`, values)).changes === 1) return 'online';
    if ((await this.db.runEphemeral(set, values)).changes === 1) return 'came-online';
    return (await this.db.get('SELECT id FROM hosts WHERE id = ?', [id])) ? 'wrong-key' : 'unknown-host';
  }

  async setHostCertificate(id: string, sha256: string | null, now: number): Promise<boolean> {
    const { changes } = await this.db.run('UPDATE hosts SET agent_cert_sha256 = ?, updated_at = ? WHERE id = ?', [sha256, now, id]);
    return changes === 1;
  }

  async insertEnrollmentToken(token: EnrollmentTokenRecord): Promise<void> {
    await this.db.run('INSERT INTO enrollment_tokens (id, token_hash, created_by, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?)', [
      token.id,
      token.tokenHash,
      token.createdBy,
      token.createdAt,
      token.expiresAt,
      token.maxUses ?? 1,
    ]);
  }

  async enrollmentTokenUsable(tokenHash: string, now: number): Promise<boolean> {
    return (await this.db.get('SELECT id FROM enrollment_tokens WHERE token_hash = ? AND uses < max_uses AND expires_at > ?', [tokenHash, now])) !== undefined;
  }

  async enrollHost(tokenHash: string, host: HostRecord, now: number): Promise<'enrolled' | 'invalid-token' | 'address-taken'> {
    try {
      return await this.db.transaction(async (tx) => {
        // Conditional, so that of two enrollments racing for a token's last use only one spends it.
        const spent = await tx.run('UPDATE enrollment_tokens SET uses = uses + 1, used_at = ?, host_id = ? WHERE token_hash = ? AND uses < max_uses AND expires_at > ?', [
          now,
          host.id,
          tokenHash,
          now,
        ]);
        if (spent.changes !== 1) return 'invalid-token';
        if (await tx.get('SELECT id FROM hosts WHERE ip = ? AND api_port = ?', [host.ip, host.apiPort])) throw new AddressTaken();
        await insertHostRow(tx, host);
        return 'enrolled';
      });
    } catch (err) {
      if (err instanceof AddressTaken || err instanceof UniqueViolation) return 'address-taken';
      throw err;
    }
  }

  async markOffline(cutoff: number, now: number): Promise<{ id: string; hostname: string }[]> {
    const rows = await this.db.all(
      "UPDATE hosts SET status = 'offline', updated_at = ? WHERE status = 'online' AND (last_seen IS NULL OR last_seen < ?) RETURNING id, hostname",
      [now, cutoff],
    );
    return rows.map((row) => ({ id: String(row.id), hostname: String(row.hostname) }));
  }

  async countHostsByStatus(): Promise<Record<HostStatus, number>> {
    const counts: Record<HostStatus, number> = { online: 0, offline: 0 };
    for (const row of await this.db.all('SELECT status, COUNT(*) AS n FROM hosts GROUP BY status')) {
      counts[row.status as HostStatus] = Number(row.n);
    }
    return counts;
  }

  async oldestOnlineHeartbeat(): Promise<number | null> {
    return nullableNumber((await this.db.get("SELECT MIN(last_seen) AS t FROM hosts WHERE status = 'online'"))?.t);
  }

  // --- deployments ---------------------------------------------------------------------------

  async placeDeployment(deployment: NewDeployment, now: number, onHost?: string): Promise<Placement> {
    return this.db.transaction(async (tx) => {
      const candidates = await tx.all(
        `SELECT id FROM hosts
         WHERE status = 'online' AND active_deployments < max_containers AND mem_percent < 90
           AND (docker_ok IS NULL OR docker_ok = 1)${onHost === undefined ? '' : ' AND id = ?'}
         ORDER BY active_deployments, CASE WHEN cpu_percent > mem_percent THEN cpu_percent ELSE mem_percent END, id
         LIMIT 50`,
        onHost === undefined ? [] : [onHost],
      );
      for (const candidate of candidates) {
        // Conditional, so that of two transactions that both saw room for one, only one gets it:
        // PostgreSQL re-checks the WHERE clause once the first one commits.
        const reserved = await tx.get(
          `UPDATE hosts SET active_deployments = active_deployments + 1
           WHERE id = ? AND status = 'online' AND active_deployments < max_containers RETURNING ${HOST_COLUMNS}`,
          [String(candidate.id)],
        );
        if (!reserved) continue;
        const host = toHost(reserved);
        const row = await tx.get(
          `INSERT INTO deployments (${DEPLOYMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'pending', NULL, ?, NULL, ?, ?, ?, NULL, ?, ?) RETURNING ${DEPLOYMENT_COLUMNS}`,
          [
            deployment.id,
            deployment.name,
            host.id,
            deployment.userId,
            deployment.source,
            deployment.findings,
            deployment.createdBy,
            deployment.leaseOwner,
            deployment.leaseUntil,
            now,
            now,
          ],
        );
        return { ok: true, deployment: toDeployment(row!), host };
      }
      return { ok: false };
    });
  }

  async saveDeploymentPackage(id: string, zip: Buffer, now: number): Promise<void> {
    await this.db.run(
      'INSERT INTO deployment_packages (deployment_id, package, created_at) VALUES (?, ?, ?) ON CONFLICT (deployment_id) DO UPDATE SET package = excluded.package',
      [id, zip.toString('base64'), now],
    );
  }

  async getDeploymentPackage(id: string): Promise<Buffer | undefined> {
    const row = await this.db.get('SELECT package FROM deployment_packages WHERE deployment_id = ?', [id]);
    return row ? Buffer.from(String(row['package']), 'base64') : undefined;
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return mapOptional(await this.db.get(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE id = ?`, [id]), toDeployment);
  }

  async listDeployments(filter: { hostId?: string; state?: DeploymentState; limit?: number } = {}): Promise<DeploymentRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.hostId !== undefined) {
      where.push('host_id = ?');
      params.push(filter.hostId);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      params.push(filter.state);
    }
    params.push(filter.limit ?? 1000);
    const sql = `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return (await this.db.all(sql, params)).map(toDeployment);
  }

  async transitionDeployment(
    id: string,
    from: readonly DeploymentState[],
    to: DeploymentState,
    change: DeploymentTransition,
    now: number,
  ): Promise<DeploymentRecord | undefined> {
    if (from.length === 0) return undefined;
    return this.db.transaction(async (tx) => {
      const sets = ['state = ?', 'updated_at = ?'];
      const params: SqlValue[] = [to, now];
      const optional: [keyof DeploymentTransition, string][] = [
        ['reason', 'reason'],
        ['agentResponse', 'agent_response'],
        ['leaseOwner', 'lease_owner'],
        ['leaseUntil', 'lease_until'],
      ];
      for (const [field, column] of optional) {
        if (change[field] === undefined) continue;
        sets.push(`${column} = ?`);
        params.push(change[field] ?? null);
      }
      const current = await tx.get('SELECT state FROM deployments WHERE id = ?', [id]);
      const previous = current ? (String(current.state) as DeploymentState) : undefined;
      if (previous === undefined || !from.includes(previous)) return undefined;
      params.push(id, previous);
      const row = await tx.get(`UPDATE deployments SET ${sets.join(', ')} WHERE id = ? AND state = ? RETURNING ${DEPLOYMENT_COLUMNS}`, params);
      // Changed by another manager between the two statements: it won.
      if (!row) return undefined;
      const deployment = toDeployment(row);
      if (deployment.hostId) {
        const wasLive = isLiveState(previous);
        const isLive = isLiveState(to);
        if (wasLive && !isLive) await releaseSlot(tx, deployment.hostId);
        // Found running after all (reconciliation): reality wins over capacity.
        if (!wasLive && isLive) await tx.run('UPDATE hosts SET active_deployments = active_deployments + 1 WHERE id = ?', [deployment.hostId]);
      }
      return deployment;
    });
  }

  async renewDeploymentLease(id: string, owner: string, until: number): Promise<boolean> {
    const { changes } = await this.db.run(`UPDATE deployments SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state IN ${IN_FLIGHT_STATES}`, [
      until,
      id,
      owner,
    ]);
    return changes === 1;
  }

  async removeDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get(`DELETE FROM deployments WHERE id = ? RETURNING ${DEPLOYMENT_COLUMNS}`, [id]);
      await tx.run('DELETE FROM deployment_packages WHERE deployment_id = ?', [id]);
      if (!row) return undefined;
      const deployment = toDeployment(row);
      if (isLiveState(deployment.state) && deployment.hostId) await releaseSlot(tx, deployment.hostId);
      return deployment;
    });
  }

  async orphanedDeployments(now: number): Promise<DeploymentRecord[]> {
    const rows = await this.db.all(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE state IN ${IN_FLIGHT_STATES} AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at`,
      [now],
    );
    return rows.map(toDeployment);
  }

  async requestRemoval(id: string, reason: string, now: number): Promise<DeploymentRecord | undefined> {
    return mapOptional(
      await this.db.get(
        `UPDATE deployments SET remove_requested_at = COALESCE(remove_requested_at, ?), reason = ?, updated_at = ? WHERE id = ? RETURNING ${DEPLOYMENT_COLUMNS}`,
        [now, reason, now, id],
      ),
      toDeployment,
    );
  }

  async pendingRemovals(): Promise<DeploymentRecord[]> {
    return (await this.db.all(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE remove_requested_at IS NOT NULL ORDER BY remove_requested_at`)).map(toDeployment);
  }

  async countDeploymentsByState(): Promise<Record<DeploymentState, number>> {
    const counts = Object.fromEntries(DEPLOYMENT_STATES.map((s) => [s, 0])) as Record<DeploymentState, number>;
    for (const row of await this.db.all('SELECT state, COUNT(*) AS n FROM deployments GROUP BY state')) {
      counts[row.state as DeploymentState] = Number(row.n);
    }
    return counts;
  }

  async releaseForeignLeases(owner: string): Promise<number> {
    const { changes } = await this.db.run(
      `UPDATE deployments SET lease_until = NULL WHERE state IN ${IN_FLIGHT_STATES} AND (lease_owner IS NULL OR lease_owner <> ?)`,
      [owner],
    );
    return changes;
  }

  // --- audit ---------------------------------------------------------------------------------

  async insertAudit(entry: AuditRecord): Promise<void> {
    await this.db.run(INSERT_AUDIT, auditValues(entry));
  }

  async insertAudits(entries: readonly AuditRecord[]): Promise<void> {
    const BATCH = 500;
    for (let start = 0; start < entries.length; start += BATCH) {
      await this.db.transaction(async (tx) => {
        for (const entry of entries.slice(start, start + BATCH)) await tx.run(INSERT_AUDIT, auditValues(entry));
      });
    }
  }

  async listAudit(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.before !== undefined) {
      where.push('id < ?');
      params.push(query.before);
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      params.push(query.action);
    }
    if (query.actor !== undefined) {
      where.push('actor = ?');
      params.push(query.actor);
    }
    if (query.target !== undefined) {
      where.push('target = ?');
      params.push(query.target);
    }
    params.push(query.limit);
    const rows = await this.db.all(
      `SELECT id, at, actor, actor_role, action, target, outcome, ip, request_id, details FROM audit_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      params,
    );
    return rows.map((row) => ({
      id: String(row.id),
      at: Number(row.at),
      actor: nullableString(row.actor),
      actorRole: nullableString(row.actor_role),
      action: String(row.action),
      target: nullableString(row.target),
      outcome: String(row.outcome) as AuditRecord['outcome'],
      ip: nullableString(row.ip),
      requestId: nullableString(row.request_id),
      details: nullableString(row.details),
    }));
  }

  async pruneAudit(before: number, keep: number): Promise<number> {
    let removed = (await this.db.run('DELETE FROM audit_log WHERE at < ?', [before])).changes;
    if (keep > 0) {
      // Ids sort by time: everything from the first entry past the newest `keep` on goes.
      const cutoff = await this.db.get('SELECT id FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET ?', [keep]);
      if (cutoff) removed += (await this.db.run('DELETE FROM audit_log WHERE id <= ?', [String(cutoff.id)])).changes;
    }
    return removed;
  }

  // --- leases --------------------------------------------------------------------------------

  async tryLease(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const { changes } = await this.db.run(
      `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at < ?`,
      [name, owner, now + ttlMs, now],
    );
    return changes === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.db.run('DELETE FROM leases WHERE name = ? AND owner = ?', [name, owner]);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

const INSERT_AUDIT =
  'INSERT INTO audit_log (id, at, actor, actor_role, action, target, outcome, ip, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

function auditValues(entry: AuditRecord): SqlValue[] {
  return [entry.id, entry.at, entry.actor, entry.actorRole, entry.action, entry.target, entry.outcome, entry.ip, entry.requestId, entry.details];
}

async function insertHostRow(db: Queryable, host: HostRecord): Promise<void> {
  await db.run(
    `INSERT INTO hosts (${HOST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      host.id,
      host.hostname,
      host.ip,
      host.sshPort,
      host.apiPort,
      host.maxContainers,
      host.status,
      host.lastSeen,
      host.cpuPercent,
      host.memPercent,
      host.diskPercent,
      host.load,
      host.containers,
      bool(host.dockerOk),
      host.agentVersion,
      host.activeDeployments,
      host.keyJti,
      host.keyHash,
      host.keyIssuedAt,
      host.agentCertSha256,
      host.createdAt,
      host.updatedAt,
    ],
  );
}

/** Thrown inside a transaction to roll it back. */
class AddressTaken extends Error {}

export function isLiveState(state: DeploymentState): boolean {
  return (LIVE_DEPLOYMENT_STATES as readonly DeploymentState[]).includes(state);
}

async function releaseSlot(tx: Queryable, hostId: string): Promise<void> {
  await tx.run('UPDATE hosts SET active_deployments = active_deployments - 1 WHERE id = ? AND active_deployments > 0', [hostId]);
}

function count(row: Row | undefined): number {
  return Number(row?.n ?? 0);
}

function bool(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function mapOptional<T>(row: Row | undefined, map: (row: Row) => T): T | undefined {
  return row ? map(row) : undefined;
}

function toUser(row: Row): UserRecord {
  return {
    id: String(row.id),
    email: String(row.email),
    passwordHash: String(row.password_hash),
    role: String(row.role) as Role,
    failedLogins: Number(row.failed_logins),
    lockedUntil: nullableNumber(row.locked_until),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toHost(row: Row): HostRecord {
  return {
    id: String(row.id),
    hostname: String(row.hostname),
    ip: String(row.ip),
    sshPort: Number(row.ssh_port),
    apiPort: Number(row.api_port),
    maxContainers: Number(row.max_containers),
    status: String(row.status) as HostStatus,
    lastSeen: nullableNumber(row.last_seen),
    cpuPercent: Number(row.cpu_percent),
    memPercent: Number(row.mem_percent),
    diskPercent: nullableNumber(row.disk_percent),
    load: nullableNumber(row.load_avg),
    containers: Number(row.containers),
    dockerOk: row.docker_ok === null || row.docker_ok === undefined ? null : Number(row.docker_ok) === 1,
    agentVersion: nullableString(row.agent_version),
    activeDeployments: Number(row.active_deployments),
    keyJti: String(row.key_jti),
    keyHash: String(row.key_hash),
    keyIssuedAt: Number(row.key_issued_at),
    agentCertSha256: nullableString(row.agent_cert_sha256),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toDeployment(row: Row): DeploymentRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    hostId: nullableString(row.host_id),
    userId: nullableString(row.user_id),
    source: String(row.source) as DeploymentRecord['source'],
    state: String(row.state) as DeploymentState,
    reason: nullableString(row.reason),
    findings: String(row.findings),
    agentResponse: nullableString(row.agent_response),
    createdBy: nullableString(row.created_by),
    leaseOwner: nullableString(row.lease_owner),
    leaseUntil: nullableNumber(row.lease_until),
    removeRequestedAt: nullableNumber(row.remove_requested_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

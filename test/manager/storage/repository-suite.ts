import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS, migrate, openDatabase, UniqueViolation, type Database } from '../../../src/manager/index.js';
import { newHostRecord, SqlRepository, type HostRecord, type NewDeployment } from '../../../src/manager/storage/repository.js';
import { freshDatabase, type DatabaseKind } from '../helpers.js';

/** The repository's contract, run against SQLite (repository.test.ts) and PostgreSQL (repository.pg.test.ts). */
export function defineRepositoryTests(kind: DatabaseKind): void {
  describe(`repository on ${kind}`, () => {
    let db: Database;
    let repo: SqlRepository;
    let drop: () => Promise<void>;
    let url: string;

    before(async () => {
      const fresh = await freshDatabase(kind);
      url = fresh.url;
      drop = fresh.drop;
      db = await openDatabase(url);
      repo = new SqlRepository(db);
    });
    after(async () => {
      await repo.close();
      await drop();
    });

    const host = (overrides: Partial<HostRecord> = {}): HostRecord => ({
      ...newHostRecord(
        {
          id: randomUUID(),
          hostname: 'h',
          ip: '10.0.0.1',
          sshPort: 22,
          apiPort: 1 + Math.floor(Math.random() * 60_000),
          maxContainers: 10,
          keyJti: randomUUID(),
          keyHash: randomUUID(),
          keyIssuedAt: 1,
        },
        1,
      ),
      ...overrides,
    });
    const deployment = (overrides: Partial<NewDeployment> = {}): NewDeployment => {
      const id = randomUUID();
      return { id, name: id, userId: null, source: 'compose', findings: '[]', createdBy: 'a@b.c', leaseOwner: 'me', leaseUntil: 10_000, ...overrides };
    };
    const online = async (h: HostRecord, figures: { cpu?: number; mem?: number } = {}) => {
      assert.equal(await repo.heartbeat(h.id, h.keyHash, { cpu: figures.cpu ?? 1, mem: figures.mem ?? 1, containers: 0, disk: null, load: null, dockerOk: true, agentVersion: null }, 1_000), 'came-online');
    };

    it('migrates once: a second run applies nothing', async () => {
      assert.deepEqual(await migrate(db), []);
      const again = await openDatabase(url);
      await again.close();
      const rows = await db.all('SELECT version FROM schema_migrations');
      assert.deepEqual(rows.map((r) => Number(r.version)), MIGRATIONS.map((m) => m.version));
    });

    it('keeps the first value of a setting', async () => {
      assert.equal(await repo.putSettingIfAbsent('k', 'first'), 'first');
      assert.equal(await repo.putSettingIfAbsent('k', 'second'), 'first');
      assert.equal(await repo.getSetting('missing'), undefined);
    });

    it('stores users with unique, lower-case e-mail addresses', async () => {
      const id = randomUUID();
      assert.equal(await repo.createUser({ id, email: 'ops@example.com', passwordHash: 'h', role: 'operator', createdAt: 5 }), true);
      assert.equal(await repo.createUser({ id: randomUUID(), email: 'ops@example.com', passwordHash: 'h', role: 'admin', createdAt: 5 }), false);
      assert.equal((await repo.findUserByEmail('OPS@example.com'))?.id, id);
      const updated = await repo.updateUser(id, { role: 'viewer' }, 300);
      assert.equal(updated?.role, 'viewer');
      assert.equal(updated?.updatedAt, 300);
    });

    it('finds keys by hash and revokes them one by one or all but one', async () => {
      const userId = randomUUID();
      await repo.createUser({ id: userId, email: `${userId}@example.com`, passwordHash: 'h', role: 'admin', createdAt: 1 });
      for (const jti of ['a', 'b', 'c'].map((s) => `${userId}-${s}`)) {
        await repo.insertApiKey({ jti, userId, keyHash: `hash-${jti}`, issuedAt: 1, expiresAt: null, revokedAt: null });
      }
      const owner = await repo.findKeyOwner(`hash-${userId}-a`);
      assert.equal(owner?.user.id, userId);
      assert.equal(owner?.key.revokedAt, null);
      assert.equal(await repo.revokeKey(`${userId}-a`, 50), true);
      assert.equal(await repo.revokeKey(`${userId}-a`, 60), false);
      assert.equal((await repo.findKeyOwner(`hash-${userId}-a`))?.key.revokedAt, 50);
      assert.equal(await repo.revokeUserKeys(userId, 70, `${userId}-c`), 1);
      assert.equal((await repo.findKeyOwner(`hash-${userId}-c`))?.key.revokedAt, null);
      assert.equal(await repo.findKeyOwner('no such hash'), undefined);
    });

    it('refuses a second host at the same address', async () => {
      const first = host({ ip: '10.9.9.9', apiPort: 8003 });
      await repo.insertHost(first);
      await assert.rejects(repo.insertHost(host({ ip: '10.9.9.9', apiPort: 8003 })), UniqueViolation);
      assert.equal((await repo.findHostByAddress('10.9.9.9', 8003))?.id, first.id);
    });

    it('accepts a heartbeat only with the current key, and tells when a host comes online', async () => {
      const h = host();
      await repo.insertHost(h);
      const figures = { cpu: 12.6, mem: 40.2, containers: 3, disk: 55.5, load: 0.75, dockerOk: true, agentVersion: '1.2.3' };
      assert.equal(await repo.heartbeat(h.id, 'wrong', figures, 10), 'wrong-key');
      assert.equal(await repo.heartbeat('no-such-host', h.keyHash, figures, 10), 'unknown-host');
      assert.equal((await repo.getHost(h.id))?.status, 'offline', 'a refused heartbeat changes nothing');
      assert.equal(await repo.heartbeat(h.id, h.keyHash, figures, 10), 'came-online');
      assert.equal(await repo.heartbeat(h.id, h.keyHash, figures, 20), 'online');
      const stored = await repo.getHost(h.id);
      assert.deepEqual(
        [stored?.status, stored?.lastSeen, stored?.cpuPercent, stored?.memPercent, stored?.containers, stored?.diskPercent, stored?.load, stored?.dockerOk, stored?.agentVersion],
        ['online', 20, 13, 40, 3, 56, 0.75, true, '1.2.3'],
      );
      assert.equal(await repo.setHostKey(h.id, { jti: 'new', hash: 'new-hash', issuedAt: 2 }, 30), true);
      assert.equal(await repo.heartbeat(h.id, h.keyHash, figures, 40), 'wrong-key', 'the rotated key is refused at once');
      assert.equal(await repo.heartbeat(h.id, 'new-hash', figures, 40), 'online');
    });

    it('marks offline exactly the online hosts last seen before the cutoff', async () => {
      const stale = host();
      const fresh = host();
      await repo.insertHost(stale);
      await repo.insertHost(fresh);
      const beat = { cpu: 1, mem: 1, containers: 0, disk: null, load: null, dockerOk: null, agentVersion: null };
      await repo.heartbeat(stale.id, stale.keyHash, beat, 1_000_000);
      await repo.heartbeat(fresh.id, fresh.keyHash, beat, 1_000_500);
      const mine = (list: { id: string }[]) => list.map((g) => g.id).filter((id) => id === stale.id || id === fresh.id);
      assert.deepEqual(mine(await repo.markOffline(1_000_100, 1_000_600)), [stale.id]);
      assert.equal((await repo.getHost(stale.id))?.status, 'offline');
      assert.equal((await repo.getHost(fresh.id))?.status, 'online');
      assert.deepEqual(mine(await repo.markOffline(1_000_100, 1_000_700)), [], 'an offline host is not reported twice');
    });

    describe('placement', () => {
      it('prefers the host with the fewest deployments, then the lowest load, and skips offline and critical hosts', async () => {
        await db.run("UPDATE hosts SET status = 'offline'");
        const busy = host({ maxContainers: 5 });
        const idle = host({ maxContainers: 5 });
        const loaded = host({ maxContainers: 5 });
        const critical = host({ maxContainers: 5 });
        const offline = host({ maxContainers: 5 });
        for (const h of [busy, idle, loaded, critical, offline]) await repo.insertHost(h);
        await online(busy, { cpu: 5 });
        await online(idle, { cpu: 10 });
        await online(loaded, { cpu: 60 });
        await online(critical, { mem: 95 });
        const first = await repo.placeDeployment(deployment(), 1);
        assert.ok(first.ok);
        assert.equal(first.host.id, busy.id, 'all empty: the least loaded');
        const second = await repo.placeDeployment(deployment(), 2);
        assert.ok(second.ok);
        assert.equal(second.host.id, idle.id, 'then the one with fewer deployments');
        const third = await repo.placeDeployment(deployment(), 3);
        assert.ok(third.ok);
        assert.equal(third.host.id, loaded.id);
        assert.equal(third.deployment.state, 'pending');
        assert.equal(third.deployment.leaseOwner, 'me');
        const hosts = await repo.listHosts();
        assert.equal(hosts.find((h) => h.id === critical.id)?.activeDeployments, 0);
        assert.equal(hosts.find((h) => h.id === offline.id)?.activeDeployments, 0);
      });

      it('never places more than a host holds, and gives slots back on failure and removal', async () => {
        await db.run("UPDATE hosts SET status = 'offline'");
        const h = host({ maxContainers: 2 });
        await repo.insertHost(h);
        await online(h);
        const a = await repo.placeDeployment(deployment(), 1);
        const b = await repo.placeDeployment(deployment(), 1);
        const c = await repo.placeDeployment(deployment(), 1);
        assert.ok(a.ok && b.ok);
        assert.equal(c.ok, false);
        const failed = await repo.transitionDeployment(a.deployment.id, ['pending'], 'failed', { reason: 'boom' }, 5);
        assert.equal(failed?.state, 'failed');
        assert.equal(failed?.reason, 'boom');
        assert.equal((await repo.getHost(h.id))?.activeDeployments, 1);
        assert.equal(await repo.transitionDeployment(a.deployment.id, ['pending'], 'running', {}, 6), undefined, 'not from a state it is not in');
        assert.equal((await repo.getHost(h.id))?.activeDeployments, 1);
        const removed = await repo.removeDeployment(b.deployment.id);
        assert.equal(removed?.id, b.deployment.id);
        assert.equal((await repo.getHost(h.id))?.activeDeployments, 0);
        const back = await repo.transitionDeployment(a.deployment.id, ['failed'], 'running', { reason: null }, 7);
        assert.equal(back?.state, 'running');
        assert.equal((await repo.getHost(h.id))?.activeDeployments, 1, 'found running after all: the slot is taken again');
      });

      it('keeps the names of live deployments unique', async () => {
        await db.run("UPDATE hosts SET status = 'offline'");
        const h = host();
        await repo.insertHost(h);
        await online(h);
        const first = await repo.placeDeployment(deployment({ name: 'same' }), 1);
        assert.ok(first.ok);
        await assert.rejects(repo.placeDeployment(deployment({ name: 'same' }), 1), UniqueViolation);
        assert.equal((await repo.getHost(h.id))?.activeDeployments, 1, 'the failed insert gave its reservation back');
        await repo.transitionDeployment(first.deployment.id, ['pending'], 'failed', {}, 2);
        assert.ok((await repo.placeDeployment(deployment({ name: 'same' }), 3)).ok, 'a failed one frees its name');
      });

      it('fills two hosts of ten exactly under 50 concurrent placements', async () => {
        await db.run("UPDATE hosts SET status = 'offline'");
        const hosts = [host({ maxContainers: 10 }), host({ maxContainers: 10 })];
        for (const h of hosts) {
          await repo.insertHost(h);
          await online(h);
        }
        const results = await Promise.all(Array.from({ length: 50 }, () => repo.placeDeployment(deployment(), 9)));
        assert.equal(results.filter((r) => r.ok).length, 20);
        for (const h of hosts) assert.equal((await repo.getHost(h.id))?.activeDeployments, 10);
        const placed = await db.all('SELECT host_id, COUNT(*) AS n FROM deployments WHERE host_id IN (?, ?) GROUP BY host_id', [hosts[0]!.id, hosts[1]!.id]);
        assert.deepEqual(placed.map((r) => Number(r.n)), [10, 10]);
      });
    });

    it('finds deployments in flight whose lease lapsed, and can release foreign leases', async () => {
      await db.run("UPDATE hosts SET status = 'offline'");
      const h = host();
      await repo.insertHost(h);
      await online(h);
      const mine = await repo.placeDeployment(deployment({ leaseOwner: 'me', leaseUntil: 5_000 }), 1);
      const theirs = await repo.placeDeployment(deployment({ leaseOwner: 'them', leaseUntil: 5_000 }), 1);
      assert.ok(mine.ok && theirs.ok);
      const orphanIds = async (now: number) => (await repo.orphanedDeployments(now)).map((d) => d.id).filter((id) => id === mine.deployment.id || id === theirs.deployment.id);
      assert.deepEqual(await orphanIds(4_000), []);
      assert.deepEqual((await orphanIds(6_000)).sort(), [mine.deployment.id, theirs.deployment.id].sort());
      assert.equal(await repo.renewDeploymentLease(mine.deployment.id, 'me', 9_000), true);
      assert.equal(await repo.renewDeploymentLease(mine.deployment.id, 'them', 9_000), false);
      assert.deepEqual(await orphanIds(6_000), [theirs.deployment.id]);
      await repo.releaseForeignLeases('me');
      assert.deepEqual(await orphanIds(0), [theirs.deployment.id]);
    });

    it('hands a lease to one owner at a time and to another once it lapses', async () => {
      assert.equal(await repo.tryLease('monitor-test', 'a', 1_000, 0), true);
      assert.equal(await repo.tryLease('monitor-test', 'b', 1_000, 500), false);
      assert.equal(await repo.tryLease('monitor-test', 'a', 1_000, 900), true, 'renewed by its owner');
      assert.equal(await repo.tryLease('monitor-test', 'b', 1_000, 1_500), false);
      assert.equal(await repo.tryLease('monitor-test', 'b', 1_000, 2_000), true, 'lapsed');
      await repo.releaseLease('monitor-test', 'b');
      assert.equal(await repo.tryLease('monitor-test', 'c', 1_000, 2_001), true);
    });

    it('pages through the audit log newest first', async () => {
      for (let i = 0; i < 5; i++) {
        await repo.insertAudit({ id: `00000000${i}-audit`, at: i, actor: 'x', actorRole: 'admin', action: i % 2 ? 'odd' : 'even', target: null, outcome: 'ok', ip: null, requestId: null, details: null });
      }
      const page = await repo.listAudit({ limit: 2 });
      assert.deepEqual(page.map((e) => e.at), [4, 3]);
      const next = await repo.listAudit({ limit: 2, before: page[1]!.id });
      assert.deepEqual(next.map((e) => e.at), [2, 1]);
      assert.deepEqual((await repo.listAudit({ limit: 10, action: 'odd' })).map((e) => e.at), [3, 1]);
      const many = Array.from({ length: 1_201 }, (_, i) => ({
        id: `1${String(i).padStart(8, '0')}-many`,
        at: 100 + i,
        actor: null,
        actorRole: null,
        action: 'many',
        target: `t${i}`,
        outcome: 'ok' as const,
        ip: null,
        requestId: null,
        details: '{"n":1}',
      }));
      await repo.insertAudits(many);
      const stored = await repo.listAudit({ limit: 2_000, action: 'many' });
      assert.equal(stored.length, 1_201);
      assert.equal(stored[0]!.target, 't1200');
    });

    it('enrolls a host with a token once, never with an expired one, and a refused enrollment leaves the token and hosts as they were', async () => {
      const token = (expiresAt: number) => ({ id: randomUUID(), tokenHash: randomUUID(), createdBy: null, createdAt: 1, expiresAt });
      const live = token(10_000);
      await repo.insertEnrollmentToken(live);
      const taken = host();
      await repo.insertHost(taken);
      // The address is taken: refused, and the token is not spent.
      const clash = host({ ip: taken.ip, apiPort: taken.apiPort, agentCertSha256: 'ab'.repeat(32) });
      assert.equal(await repo.enrollHost(live.tokenHash, clash, 5_000), 'address-taken');
      assert.equal(await repo.getHost(clash.id), undefined);
      const enrolled = host({ agentCertSha256: 'cd'.repeat(32) });
      assert.equal(await repo.enrollHost(live.tokenHash, enrolled, 5_000), 'enrolled');
      assert.equal((await repo.getHost(enrolled.id))?.agentCertSha256, 'cd'.repeat(32));
      const again = host();
      assert.equal(await repo.enrollHost(live.tokenHash, again, 5_001), 'invalid-token', 'used');
      const expired = token(6_000);
      await repo.insertEnrollmentToken(expired);
      assert.equal(await repo.enrollHost(expired.tokenHash, again, 6_000), 'invalid-token', 'expired');
      assert.equal(await repo.enrollHost(randomUUID(), again, 1_000), 'invalid-token', 'unknown');
      assert.equal(await repo.getHost(again.id), undefined);
      assert.equal(await repo.setHostCertificate(enrolled.id, null, 7_000), true);
      assert.equal((await repo.getHost(enrolled.id))?.agentCertSha256, null);
      assert.equal(await repo.enrollmentTokenUsable(live.tokenHash, 5_001), false, 'used');
      assert.equal(await repo.enrollmentTokenUsable(expired.tokenHash, 6_000), false, 'expired');
    });

    it('one token enrolled by several at once registers exactly one host', async () => {
      const racing = { id: randomUUID(), tokenHash: randomUUID(), createdBy: null, createdAt: 1, expiresAt: 10_000 };
      await repo.insertEnrollmentToken(racing);
      assert.equal(await repo.enrollmentTokenUsable(racing.tokenHash, 5_000), true);
      const hosts = Array.from({ length: 6 }, () => host());
      const outcomes = await Promise.all(hosts.map((h) => repo.enrollHost(racing.tokenHash, h, 5_000)));
      assert.deepEqual([...outcomes].sort(), ['enrolled', 'invalid-token', 'invalid-token', 'invalid-token', 'invalid-token', 'invalid-token']);
      const registered = await Promise.all(hosts.map((h) => repo.getHost(h.id)));
      assert.equal(registered.filter(Boolean).length, 1);
    });

    it('a token for several hosts enrolls that many, each its own host, even when they race', async () => {
      const fleet = { id: randomUUID(), tokenHash: randomUUID(), createdBy: null, createdAt: 1, expiresAt: 10_000, maxUses: 3 };
      await repo.insertEnrollmentToken(fleet);
      const hosts = Array.from({ length: 5 }, () => host());
      const outcomes = await Promise.all(hosts.map((h) => repo.enrollHost(fleet.tokenHash, h, 5_000)));
      assert.deepEqual([...outcomes].sort(), ['enrolled', 'enrolled', 'enrolled', 'invalid-token', 'invalid-token']);
      assert.equal((await Promise.all(hosts.map((h) => repo.getHost(h.id)))).filter(Boolean).length, 3);
      assert.equal(await repo.enrollmentTokenUsable(fleet.tokenHash, 5_000), false, 'spent');
    });
  });
}

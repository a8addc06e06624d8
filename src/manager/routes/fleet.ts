import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  HostPosture,
  HostVersions,
  PostureSummary,
  SearchQuery,
  SearchResponse,
  StackPosture,
  type DriftItem,
  type HostInventory,
  type PostureCounts,
  type PostureFinding,
} from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { notFound, USER_SECURITY as SECURED } from '../http/index.js';
import { alertRoutes } from './alerts.js';
import { logRoutes } from './logs.js';
import { moveRoutes } from './move.js';
import { vulnerabilityRoutes, vulnerabilityTotals } from './vulnerabilities.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/**
 * Fleet operations (docs/manager.md, "Fleet operations"): search, agent versions, posture and
 * drift, and the routes of their own files (alerts, logs, move, image vulnerabilities).
 */
export const fleetRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, fleet } = ctx;
  const viewer = { access: 'viewer' as const };

  app.get(
    '/search',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Search containers, stacks, images, published ports and env names (never values) across the fleet',
        description: "From what the agents last reported (every INVENTORY_INTERVAL seconds). Exact matches come first, then prefixes, then the rest.",
        security: SECURED,
        querystring: SearchQuery,
        response: { 200: SearchResponse },
      },
      config: viewer,
    },
    async (request) => {
      const started = performance.now();
      const { q, kind, limit } = request.query;
      const result = fleet.index.search(q, { kind, limit: limit ?? 50 });
      return { ...result, took_ms: Math.round((performance.now() - started) * 1000) / 1000 };
    },
  );

  app.get(
    '/hosts/versions',
    {
      schema: { tags: ['fleet'], summary: 'Agent versions across the fleet: how many hosts run each', security: SECURED, response: { 200: HostVersions } },
      config: viewer,
    },
    async () => {
      const groups = new Map<string | null, { hosts: number; online: number; host_ids: string[] }>();
      for (const host of await repo.listHosts()) {
        const group = groups.get(host.agentVersion) ?? { hosts: 0, online: 0, host_ids: [] };
        group.hosts++;
        if (host.status === 'online') group.online++;
        group.host_ids.push(host.id);
        groups.set(host.agentVersion, group);
      }
      const versions = [...groups.entries()]
        .map(([agent_version, group]) => ({ agent_version, ...group }))
        .sort((a, b) => b.hosts - a.hosts || String(a.agent_version).localeCompare(String(b.agent_version)));
      return { manager_version: ctx.version, versions };
    },
  );

  app.get(
    '/posture',
    {
      schema: { tags: ['fleet'], summary: 'Posture and drift counts of every host', security: SECURED, response: { 200: Type.Array(PostureSummary) } },
      config: viewer,
    },
    async () => {
      const reported = new Map((await fleet.store.inventoriesSince(0)).map((row) => [row.hostId, row]));
      return (await repo.listHosts()).map((host) => {
        const row = reported.get(host.id);
        return {
          host_id: host.id,
          hostname: host.hostname,
          collected_at: row ? new Date(row.collectedAt).toISOString() : null,
          counts: countsOf(row?.inventory.posture ?? [], row?.inventory.drift ?? []),
          ...(row?.inventory.images ? { vulnerabilities: vulnerabilityTotals(row.inventory.images) } : {}),
        };
      });
    },
  );

  app.get(
    '/hosts/:id/posture',
    {
      schema: { tags: ['fleet'], summary: "A host's posture findings and drift, as its agent last reported them", security: SECURED, params: Params, response: { 200: HostPosture } },
      config: viewer,
    },
    async (request) => {
      const host = await repo.getHost(request.params.id);
      if (!host) throw notFound('Host not found');
      const row = await fleet.store.inventoryOf(host.id);
      const inventory: Pick<HostInventory, 'posture' | 'drift' | 'truncated'> = row?.inventory ?? { posture: [], drift: [], truncated: false };
      return {
        host_id: host.id,
        hostname: host.hostname,
        collected_at: row ? new Date(row.collectedAt).toISOString() : null,
        counts: countsOf(inventory.posture, inventory.drift),
        findings: inventory.posture,
        drift: inventory.drift,
        truncated: inventory.truncated,
      };
    },
  );

  app.get(
    '/deployments/:id/posture',
    {
      schema: { tags: ['fleet'], summary: "A deployment's posture findings and drift on its host", security: SECURED, params: Params, response: { 200: StackPosture } },
      config: viewer,
    },
    async (request) => {
      const deployment = await repo.getDeployment(request.params.id);
      if (!deployment) throw notFound('Deployment not found');
      const row = deployment.hostId ? await fleet.store.inventoryOf(deployment.hostId) : undefined;
      const findings = (row?.inventory.posture ?? []).filter((f) => f.stack === deployment.name);
      const drift = (row?.inventory.drift ?? []).filter((d) => d.stack === deployment.name);
      return {
        deployment_id: deployment.id,
        stack: deployment.name,
        host_id: deployment.hostId,
        collected_at: row ? new Date(row.collectedAt).toISOString() : null,
        counts: countsOf(findings, drift),
        findings,
        drift,
      };
    },
  );

  await app.register(alertRoutes, { ctx });
  await app.register(logRoutes, { ctx });
  await app.register(moveRoutes, { ctx });
  await app.register(vulnerabilityRoutes, { ctx });
};

function countsOf(findings: readonly PostureFinding[], drift: readonly DriftItem[]): PostureCounts {
  const counts: PostureCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0, drift: drift.length };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

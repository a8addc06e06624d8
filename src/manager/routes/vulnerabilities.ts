import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  DeploymentVulnerabilities,
  HostVulnerabilities,
  ImageScanStarted,
  type FleetContainer,
  type HostInventory,
  type ImageScanSummary,
  type ImageVulnerabilities,
  type VulnerabilityCounts,
} from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { conflict, HttpError, notFound, unprocessable, USER_SECURITY as SECURED } from '../http/index.js';
import type { InventoryRow } from '../fleet/index.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const SCAN_CALL_TIMEOUT_MS = 15_000;
const SCAN_STARTED = Compile(ImageScanStarted);

/**
 * Vulnerability counts of the images the fleet runs (docs/scan.md, "On the fleet";
 * docs/manager.md): read from the scans agents report with their inventory, and a scan round
 * started on a host's agent.
 */
export const vulnerabilityRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, fleet, deployer } = ctx;

  app.get(
    '/hosts/:id/vulnerabilities',
    {
      schema: {
        tags: ['fleet'],
        summary: "Known vulnerabilities of the images a host's containers run, per severity and per image, as its agent last scanned them",
        security: SECURED,
        params: Params,
        response: { 200: HostVulnerabilities },
      },
      config: { access: 'viewer', errorShape: 'error' },
    },
    async (request) => {
      const host = await repo.getHost(request.params.id);
      if (!host) throw notFound('Host not found');
      const row = await fleet.store.inventoryOf(host.id);
      return { host_id: host.id, hostname: host.hostname, ...report(row, row?.inventory.containers ?? [], true) };
    },
  );

  app.get(
    '/deployments/:id/vulnerabilities',
    {
      schema: {
        tags: ['fleet'],
        summary: "Known vulnerabilities of the images a deployment's containers run on its host, per severity and per image",
        security: SECURED,
        params: Params,
        response: { 200: DeploymentVulnerabilities },
      },
      config: { access: 'viewer', errorShape: 'error' },
    },
    async (request) => {
      const deployment = await repo.getDeployment(request.params.id);
      if (!deployment) throw notFound('Deployment not found');
      const row = deployment.hostId ? await fleet.store.inventoryOf(deployment.hostId) : undefined;
      const containers = (row?.inventory.containers ?? []).filter((c) => c.stack === deployment.name);
      return { deployment_id: deployment.id, stack: deployment.name, host_id: deployment.hostId, ...report(row, containers, false) };
    },
  );

  app.post(
    '/hosts/:id/images/scan',
    {
      schema: {
        tags: ['fleet'],
        summary: "Start a scan round on the host's agent: the images its containers use, against the agent's ADVISORIES_PATH",
        description:
          'Answers as soon as the round has started; the counts appear in GET /hosts/:id/vulnerabilities once the round is over and the agent has reported again (INVENTORY_INTERVAL). 409: the host is offline or a round runs there; 422: scanning is off on that host.',
        security: SECURED,
        params: Params,
        response: { 202: ImageScanStarted },
      },
      config: { access: 'operator', errorShape: 'error' },
    },
    async (request, reply) => {
      const host = await repo.getHost(request.params.id);
      if (!host) throw notFound('Host not found');
      if (host.status !== 'online') throw conflict(`Host ${host.hostname} is ${host.status}: its agent cannot scan now`);
      const result = await fleet.agents.call(await deployer.target(host), 'POST', '/images/scan', undefined, AbortSignal.timeout(SCAN_CALL_TIMEOUT_MS), { 202: SCAN_STARTED });
      if (!result.ok) {
        if (result.status === 409) throw conflict(`The agent is scanning already: ${result.reason}`);
        if (result.status === 422) throw unprocessable(`The agent does not scan images: ${result.reason}`);
        throw new HttpError(502, 'agent_failed', `The agent could not start a scan: ${result.reason}`);
      }
      await ctx.audit.record(request, { action: 'host.image_scan', target: host.id, details: { round_id: (result.body as ImageScanStarted).round_id } });
      reply.code(202);
      return result.body as ImageScanStarted;
    },
  );
};

/** Vulnerable packages per severity, summed over images (each counted once). */
export function vulnerabilityTotals(images: readonly Pick<ImageScanSummary, 'counts'>[]): VulnerabilityCounts {
  const counts: VulnerabilityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const image of images) for (const severity of Object.keys(counts) as (keyof VulnerabilityCounts)[]) counts[severity] += image.counts[severity];
  return counts;
}

/** The counts of the images `containers` run (the host's: every image scanned there too). */
function report(row: InventoryRow | undefined, containers: readonly FleetContainer[], everyScan: boolean) {
  const inventory: Partial<HostInventory> = row?.inventory ?? {};
  const scans = new Map((inventory.images ?? []).map((s) => [s.image_id, s]));
  const images = new Map<string, ImageVulnerabilities>();
  const unscanned = new Map<string, { image_id: string | null; image: string; containers: string[] }>();
  for (const c of containers) {
    const scan = c.image_id ? scans.get(c.image_id) : undefined;
    if (scan) {
      const entry = images.get(scan.image_id) ?? { ...scan, containers: [] };
      entry.containers.push(c.name);
      images.set(scan.image_id, entry);
    } else {
      const key = c.image_id ?? c.image;
      const entry = unscanned.get(key) ?? { image_id: c.image_id ?? null, image: c.image, containers: [] };
      entry.containers.push(c.name);
      unscanned.set(key, entry);
    }
  }
  if (everyScan) for (const scan of scans.values()) if (!images.has(scan.image_id)) images.set(scan.image_id, { ...scan, containers: [] });
  const counts = vulnerabilityTotals([...images.values()]);
  let vulnerable = 0;
  let secrets = 0;
  for (const image of images.values()) {
    vulnerable += image.vulnerable_packages;
    secrets += image.secrets;
  }
  const worst = (i: ImageVulnerabilities) => [i.counts.critical, i.counts.high, i.counts.medium, i.counts.low, i.counts.info];
  const ordered = [...images.values()].sort((a, b) => {
    const [x, y] = [worst(a), worst(b)];
    const i = x.findIndex((n, k) => n !== y[k]);
    return i === -1 ? a.image_id.localeCompare(b.image_id) : y[i]! - x[i]!;
  });
  return {
    collected_at: row ? new Date(row.collectedAt).toISOString() : null,
    scanning: inventory.image_scan ?? null,
    counts,
    vulnerable_packages: vulnerable,
    secrets,
    images: ordered,
    unscanned: [...unscanned.values()],
  };
}

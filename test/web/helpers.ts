import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseAgentConfig, startAgent, type RunningAgent } from '../../src/agent/index.js';
import { ensureTestImage } from '../helpers/test-image.js';
import { fleetTestConfig } from '../manager/fleet/helpers.js';
import { eventually, login, registerHost, startTestManager, type TestManager } from '../manager/helpers.js';
import { freePort } from '../helpers/ports.js';

export const CHROMIUM = process.env.SHIPSHAPE_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots are kept here as test artifacts (git ignores the folder). */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/web/', import.meta.url));

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A manager on SQLite and a real agent on this machine's engine, registered and online. */
export interface Fleet {
  manager: TestManager;
  agent: RunningAgent;
  adminKey: string;
  hostId: string;
  hostname: string;
  close(): Promise<void>;
}

export async function startFleet(hostname: string): Promise<Fleet> {
  await ensureTestImage();
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-web-'));
  // An OSV folder of one advisory for a package no test image has: the agent scans on request.
  const advisories = join(dir, 'advisories');
  mkdirSync(join(advisories, 'npm'), { recursive: true });
  writeFileSync(
    join(advisories, 'npm', 'GHSA-web-test.json'),
    JSON.stringify({ id: 'GHSA-web-test', summary: 'a flaw', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }] }),
  );
  const manager = await startTestManager('sqlite', { listen: true, config: { fleet: fleetTestConfig() } });
  const adminKey = await login(manager);
  const port = await freePort();
  const host = await registerHost(manager, adminKey, { hostname, ip: '127.0.0.1', api_port: port, max_containers: 5 });
  const parsed = parseAgentConfig({
    DOCKER_SOCKET: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    MANAGER_URL: manager.url!,
    HOST_ID: host.id,
    SERVER_KEY: host.server_key,
    HEARTBEAT_INTERVAL: '0.5',
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    WORK_DIR: join(dir, 'agent'),
    LOG_LEVEL: 'silent',
    ADVISORIES_PATH: advisories,
    IMAGE_SCAN_INTERVAL: '0',
  });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const agent = await startAgent({ config: parsed.config, version: '0.0.0-web-test' });
  await eventually(async () => ((await manager.repo.getHost(host.id))?.status === 'online' ? true : undefined), 15_000, 'the host online');
  return {
    manager,
    agent,
    adminKey,
    hostId: host.id,
    hostname,
    close: async () => {
      await agent.close().catch(() => undefined);
      await manager.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the whole page under test-artifacts/web/. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core's WCAG 2.x A and AA rules: no serious or critical violation. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `accessibility of ${where}`,
  );
}

export { freePort };

/** A property of the focused element (the tests compile without the DOM's types). */
export function focused(page: Page, property: 'tagName' | 'id' | 'textContent'): Promise<string | null> {
  return page.evaluate(`document.activeElement ? document.activeElement.${property} : null`);
}

/** Waits for `selector`; when it does not come, the error says what the view showed instead. */
export async function waitShowing(page: Page, selector: string, timeout = 60_000): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout });
  } catch (err) {
    const shown = ((await page.locator('main').textContent().catch(() => null)) ?? '').replace(/\s+/g, ' ').slice(0, 1_500);
    throw new Error(`${(err as Error).message.split('\n')[0]}; the view shows: ${shown}`);
  }
}

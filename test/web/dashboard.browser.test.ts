import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, composeZip, eventually, heartbeat, launch, login, registerHost, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from '../manager/helpers.js';

const CHROMIUM = process.env.SHIPSHAPE_CHROMIUM ?? '/usr/bin/chromium';

describe('the web dashboard in Chromium', () => {
  let manager: TestManager;
  let agent: FakeAgent;
  let agentKey: string | undefined;
  let adminKey: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    agent = await startFakeAgent(() => agentKey);
    manager = await startTestManager('sqlite', { listen: true, monitor: false });
    adminKey = await login(manager);
    const host = await registerHost(manager, adminKey, { hostname: 'rack-a-01', ip: '127.0.0.1', api_port: agent.port, max_containers: 4 });
    agentKey = host.server_key;
    await heartbeat(manager, host.id, host.server_key, { cpu: 12, mem: 34, containers: 1 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(manager.url!) && !request.url().startsWith('data:')) problems.push(`external request: ${request.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    await manager.dispose();
    await agent.close();
  });

  it('asks for a login and says so when the password is wrong', async () => {
    await page.goto(`${manager.url}/`);
    await page.waitForSelector('#login-form', { state: 'visible' });
    assert.equal(await page.isVisible('#app-view'), false);
    await page.fill('#login-email', ADMIN.email);
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-error', { state: 'visible' });
    assert.equal(await page.textContent('#login-error'), 'Invalid credentials');
  });

  it('logs in and shows hosts with their status and load', async () => {
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app-view', { state: 'visible' });
    assert.match((await page.textContent('#who')) ?? '', /admin@example\.com \(admin\)/);
    const row = page.locator('#hosts tbody tr', { hasText: 'rack-a-01' });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /online/);
    assert.match(text, /healthy/);
    assert.match(text, /12 %/);
    assert.match(text, /34 %/);
    assert.match(text, /0 \/ 4/);
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === 'shipshape_session')?.httpOnly, true);
  });

  it('updates live from /events: heartbeats, new hosts, deployments', async () => {
    await page.waitForSelector('#live.on');
    const hostId = (await manager.repo.listHosts()).find((h) => h.hostname === 'rack-a-01')!.id;
    await heartbeat(manager, hostId, agentKey!, { cpu: 81, mem: 40, containers: 3 });
    const row = page.locator('#hosts tbody tr', { hasText: 'rack-a-01' });
    await row.locator('text=81 %').waitFor({ timeout: 5_000 });
    assert.match((await row.textContent()) ?? '', /warning/);

    await registerHost(manager, adminKey, { hostname: 'rack-b-02' });
    await page.locator('#hosts tbody tr', { hasText: 'rack-b-02' }).waitFor({ timeout: 5_000 });

    const launched = await launch(manager, adminKey, composeZip());
    assert.equal(launched.statusCode, 202);
    const { id } = launched.json() as { id: string };
    const deployment = page.locator(`#deployments tbody tr[data-deployment="${id}"]`);
    await deployment.locator('.badge.running').waitFor({ timeout: 5_000 });
    assert.match((await deployment.textContent()) ?? '', /rack-a-01/);
    await page.locator('#hosts tbody tr', { hasText: 'rack-a-01' }).locator('text=1 / 4').waitFor({ timeout: 5_000 });
  });

  it('restarts and deletes a deployment from its row', async () => {
    const [deployment] = await manager.repo.listDeployments();
    const row = page.locator(`#deployments tbody tr[data-deployment="${deployment!.id}"]`);
    await row.locator('button', { hasText: 'Restart' }).click();
    await eventually(() => (agent.calls.some((c) => c.url.endsWith(`/${deployment!.id}/restart`)) ? true : undefined), 5_000, 'the restart');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button', { hasText: 'Delete' }).click();
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(agent.running.has(deployment!.id), false);
    assert.equal(await manager.repo.getDeployment(deployment!.id), undefined);
  });

  it('logs out, loads nothing from elsewhere and raises no errors', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.reload();
    await page.waitForSelector('#login-form', { state: 'visible' });
    assert.deepEqual(problems.filter((p) => !/401/.test(p)), []);
  });
});

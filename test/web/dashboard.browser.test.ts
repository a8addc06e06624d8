import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { writeZip } from '../../src/manager/index.js';
import { TEST_IMAGE } from '../helpers/test-image.js';
import { ADMIN, eventually } from '../manager/helpers.js';
import { assertAccessible, focused, launchChromium, waitShowing, shoot, startFleet, VIEWPORTS, type Fleet } from './helpers.js';

const suffix = randomBytes(3).toString('hex');
const STACK = `webui-${suffix}`;
const COMPOSE = `services:
  web:
    image: ${TEST_IMAGE}
    command: ["httpd", "-f", "-p", "8080", "-h", "/"]
  ticker:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "i=0; while true; do echo tick-$$i; i=$$((i+1)); sleep 0.3; done"]
    depends_on: [web]
`;
const HOSTILE = `services:
  root:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    privileged: true
`;

/**
 * The dashboard in Chromium against a real manager, a real agent and the Docker engine: every
 * view, login and logout, a deploy with its preview, a refused deploy, a host with live logs.
 * Screenshots go to test-artifacts/web/.
 */
describe('the web dashboard in Chromium, with a real agent and engine', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let deploymentId: string | undefined;

  before(async () => {
    fleet = await startFleet(`rack-${suffix}`);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(fleet.manager.url!) && !request.url().startsWith('data:')) problems.push(`external request: ${request.url()}`);
    });
  });
  after(async () => {
    await browser?.close();
    // Whatever the test deployed goes, through the manager and its agent.
    for (const d of (await fleet?.manager.repo.listDeployments()) ?? []) {
      await fleet.manager.app.inject({ method: 'DELETE', url: `/deployments/${d.id}?force=true`, headers: { 'x-admin-key': fleet.adminKey } });
    }
    await fleet?.close();
  });

  it('serves the page, its script and style sheet under a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/ui/app.js', '/ui/app.css']) {
      const response = await fetch(`${fleet.manager.url}${path}`);
      assert.equal(response.status, 200, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    }
    const html = await (await fetch(`${fleet.manager.url}/`)).text();
    assert.doesNotMatch(html, /<script>|<style>|style=/, 'no inline script or style');
  });

  it('asks for a login, refuses a wrong password, and logs in', async () => {
    await page.goto(`${fleet.manager.url}/`);
    await page.waitForSelector('#login-form');
    await shoot(page, 'login-desktop');
    await assertAccessible(page, 'the login form');
    await page.fill('#login-email', ADMIN.email);
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-form button[type=submit]');
    await page.locator('#login-error [role=alert]').waitFor();
    assert.equal(await page.textContent('#login-error [role=alert]'), 'Invalid credentials');
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#who');
    assert.match((await page.textContent('#who')) ?? '', /admin@example\.com \(admin\)/);
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === 'shipshape_session')?.httpOnly, true);
  });

  it('shows the fleet: the host online, its last heartbeat, sparklines and agent version, live', async () => {
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    const row = page.locator(`#hosts tbody tr[data-host="${fleet.hostId}"]`);
    await row.waitFor();
    await row.locator('.badge.online').waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, new RegExp(fleet.hostname));
    assert.match(text, /0\.0\.0-web-test/);
    assert.match(text, /s ago/);
    // Heartbeats arrive every 0.5 s: the CPU sparkline gains points over the event stream.
    const points = async () => ((await row.locator('svg.sparkline polyline').first().getAttribute('points')) ?? '').trim().split(/\s+/).filter(Boolean).length;
    const first = await points();
    await eventually(async () => ((await points()) > first ? true : undefined), 10_000, 'a new sparkline point');
    assert.match((await page.textContent('#summary')) ?? '', /Hosts online\s*1 \/ 1/);
    await shoot(page, 'fleet-desktop');
  });

  it('previews a deploy, places it on the chosen host and follows it to running', async () => {
    await page.getByRole('link', { name: 'Deploy', exact: true }).click();
    await page.locator('h1', { hasText: 'Deploy a stack' }).waitFor();
    await eventually(async () => ((await focused(page, 'tagName')) === 'H1' ? true : undefined), 5_000, 'the focus on the new view');
    await page.setInputFiles('#package-files', [
      { name: 'compose.yaml', mimeType: 'text/yaml', buffer: Buffer.from(COMPOSE) },
      { name: 'README.txt', mimeType: 'text/plain', buffer: Buffer.from('a file next to the compose file\n') },
    ]);
    const preview = page.locator('#preview');
    await waitShowing(page, '#preview .decision.accepted');
    const previewText = (await preview.textContent()) ?? '';
    assert.match(previewText, /The gate accepts this package/);
    assert.match(previewText, /Overall/);
    assert.match(previewText, /ticker/);
    assert.equal(await preview.locator('.graph svg .node').count(), 2, 'both services in the graph');
    assert.equal(await preview.locator('.graph svg line.edge').count(), 1, 'ticker depends on web');
    await shoot(page, 'deploy-preview-desktop');
    await page.fill('#deploy-name', STACK);
    await page.selectOption('#deploy-placement', fleet.hostId);
    await page.click('form >> button:has-text("Deploy")');
    const progress = page.locator('#progress');
    await progress.locator('.badge.running').waitFor({ timeout: 120_000 });
    const deployment = (await fleet.manager.repo.listDeployments()).find((d) => d.name === STACK);
    assert.equal(deployment?.state, 'running', deployment?.reason ?? '');
    assert.equal(deployment?.hostId, fleet.hostId);
    deploymentId = deployment!.id;
    assert.match((await progress.textContent()) ?? '', /deploying/);
    await shoot(page, 'deploy-progress-desktop');
  });

  it('refuses a hostile deploy and shows the findings that refused it; nothing is created', async () => {
    await page.goto(`${fleet.manager.url}/#/deployments`);
    await page.goto(`${fleet.manager.url}/#/deploy`);
    await page.locator('h1', { hasText: 'Deploy a stack' }).waitFor();
    const before = (await fleet.manager.repo.listDeployments()).length;
    await page.setInputFiles('#package-files', [{ name: 'compose.yaml', mimeType: 'text/yaml', buffer: Buffer.from(HOSTILE) }]);
    const preview = page.locator('#preview');
    await waitShowing(page, '#preview .decision.refused');
    assert.match((await preview.locator('table.findings').first().textContent()) ?? '', /privileged/);
    await page.fill('#deploy-name', `${STACK}-bad`);
    await page.click('form >> button:has-text("Deploy")');
    await page.locator('text=Findings the manager refused the deploy for').waitFor({ timeout: 20_000 });
    assert.match((await page.locator('[role=alert]', { hasText: 'Not deployed' }).textContent()) ?? '', /deploy policy refuses/);
    assert.match((await page.locator('table.findings', { hasText: 'Findings the manager refused' }).textContent()) ?? '', /privileged/);
    assert.equal((await fleet.manager.repo.listDeployments()).length, before);
    await shoot(page, 'deploy-refused-desktop');
  });

  it('shows the report of the last analysis with its graph', async () => {
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    await page.locator('h1', { hasText: 'Analysis report' }).waitFor();
    await page.locator('.report .decision.refused').waitFor();
    assert.equal(await page.locator('.report .graph svg').count(), 1);
    await shoot(page, 'report-desktop');
    // A ZIP holding one folder, read in the browser: its folder is the package.
    const zip = writeZip([
      { path: 'shop/compose.yaml', data: Buffer.from(COMPOSE) },
      { path: 'shop/conf/notes.txt', data: Buffer.from('the same line again\n'.repeat(200)) },
    ]);
    await page.setInputFiles('#report-files', [{ name: 'shop.zip', mimeType: 'application/zip', buffer: zip }]);
    await waitShowing(page, '.report .decision.accepted');
    assert.match((await page.textContent('main')) ?? '', /Files: compose\.yaml, conf\/notes\.txt/);
    assert.equal(await page.locator('.report .graph svg .node').count(), 2);
  });

  it('shows the host: charts of the last hour, its stacks and containers with health, and live logs', async () => {
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.click(`#hosts a:has-text("${fleet.hostname}")`);
    await page.locator('h1', { hasText: `Host ${fleet.hostname}` }).waitFor();
    await page.locator('.chart svg').first().waitFor({ timeout: 10_000 });
    const stacks = page.locator('.stacks');
    await stacks.locator(`text=${STACK}`).waitFor({ timeout: 20_000 });
    const ticker = page.locator(`#containers tbody tr[data-container="${STACK}-ticker-1"]`);
    await ticker.waitFor();
    assert.match((await ticker.textContent()) ?? '', /running/);
    await ticker.locator('button', { hasText: 'Logs' }).click();
    await eventually(async () => ((await focused(page, 'id')) === 'logs-title' ? true : undefined), 5_000, 'the focus on the logs');
    const lines = page.locator('#log-lines');
    await lines.locator('text=/tick-\\d+/').first().waitFor({ timeout: 15_000 });
    const count = async () => (await lines.textContent())?.match(/tick-\d+/g)?.length ?? 0;
    const seen = await count();
    await eventually(async () => ((await count()) > seen ? true : undefined), 10_000, 'new log lines, followed live');
    await shoot(page, 'host-desktop');
    await page.click('button:has-text("Close logs")');
  });

  it('shows the host posture the agent reported', async () => {
    await page.goto(`${fleet.manager.url}/#/hosts/${fleet.hostId}`);
    const posture = page.locator('#posture');
    // The manager reads each agent's inventory every second here.
    await eventually(async () => {
      if (!((await posture.textContent()) ?? '').includes('not reported')) return true;
      await page.reload();
      return undefined;
    }, 30_000, 'the posture report');
    assert.match((await posture.textContent()) ?? '', /Reported .* ago: .*critical/);
  });

  it('scans the host\'s images on request and shows what the agent found, per image', async () => {
    await page.goto(`${fleet.manager.url}/#/hosts/${fleet.hostId}`);
    const card = page.locator('#vulnerabilities');
    await card.locator('button', { hasText: 'Scan now' }).click();
    await card.locator('[role=status]', { hasText: 'Scan started' }).waitFor({ timeout: 15_000 });
    // The agent scans the images its containers run, then reports with its next inventory.
    const rows = card.locator('#image-vulnerabilities tbody tr');
    await eventually(async () => {
      if ((await rows.count()) > 0 && !((await card.textContent()) ?? '').includes('A scan round is running')) return true;
      await card.locator('button', { hasText: 'Refresh' }).click();
      return undefined;
    }, 60_000, 'the scanned images');
    const cells = (await rows.filter({ hasText: `${STACK}-ticker-1` }).first().locator('td').allTextContents()).map((c) => c.trim());
    // The test image has no package database: scanned, and nothing found in it.
    assert.deepEqual(cells.slice(1, 5), ['0', '0', '0', '0'], cells.join(' | '));
    assert.match(cells[6] ?? '', new RegExp(`${STACK}-ticker-1`));
    assert.match(cells[7] ?? '', /ago|now/);
    assert.match((await card.textContent()) ?? '', /0 critical 0 high 0 medium 0 low/);
    await shoot(page, 'host-vulnerabilities-desktop');
    // The deployment's view counts the images of its own containers only.
    await page.goto(`${fleet.manager.url}/#/deployments/${deploymentId}`);
    const ofDeployment = page.locator('#vulnerabilities #image-vulnerabilities tbody tr');
    await ofDeployment.first().waitFor({ timeout: 15_000 });
    const containers = (await ofDeployment.locator('td').nth(6).textContent()) ?? '';
    assert.match(containers, new RegExp(`${STACK}-ticker-1`));
    assert.doesNotMatch(containers, /repro-|started by hand/);
  });

  it('searches the fleet: a container by name leads to its host; a name nothing has finds nothing', async () => {
    await page.getByRole('link', { name: 'Search', exact: true }).click();
    await page.locator('h1', { hasText: 'Search the fleet' }).waitFor();
    await page.fill('#search-q', `${STACK}-ticker`);
    const hits = page.locator('#search-hits tbody tr');
    await eventually(async () => ((await hits.count()) > 0 ? true : undefined), 30_000, 'a search hit');
    const row = hits.filter({ hasText: `${STACK}-ticker-1` }).first();
    assert.match((await row.textContent()) ?? '', new RegExp(fleet.hostname));
    await row.getByRole('link', { name: fleet.hostname }).click();
    await page.locator('h1', { hasText: `Host ${fleet.hostname}` }).waitFor();
    await page.goto(`${fleet.manager.url}/#/search`);
    await page.fill('#search-q', 'no-such-thing-anywhere');
    await page.locator('#hits-title', { hasText: '0 matches' }).waitFor();
    await shoot(page, 'search-desktop');
  });

  it('adds a webhook and shows it with the delivery log', async () => {
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.locator('h1', { hasText: 'Alerts' }).waitFor();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/hook');
    await page.getByLabel(/^Secret/).fill('a secret of sixteen or more');
    await page.getByRole('button', { name: 'Add the webhook' }).click();
    await page.locator('#webhooks', { hasText: 'http://127.0.0.1:9/hook' }).waitFor();
    assert.equal((await fleet.manager.app.inject({ method: 'GET', url: '/alerts/webhooks', headers: { 'x-admin-key': fleet.adminKey } })).json<unknown[]>().length, 1);
    await shoot(page, 'alerts-desktop');
  });

  it('shows the deployment: its timeline from the audit log and its findings; restarts it', async () => {
    await page.goto(`${fleet.manager.url}/#/deployments/${deploymentId}`);
    await page.locator('h1', { hasText: `Deployment ${STACK}` }).waitFor();
    const timeline = page.locator('#timeline');
    await timeline.locator('text=created and placed').waitFor();
    const text = (await timeline.textContent()) ?? '';
    assert.match(text, /deploying/);
    assert.match(text, /running/);
    assert.match(text, /admin@example\.com/);
    await page.getByRole('button', { name: 'Preview the hardened overlay' }).click();
    await page.locator('#harden pre.overlay').waitFor({ timeout: 60_000 });
    assert.match((await page.textContent('#harden')) ?? '', /Overall score \d+\.\d → \d+\.\d/);
    assert.match((await page.textContent('#harden pre.overlay')) ?? '', /services:/);
    await page.click('button:has-text("Restart")');
    await timeline.locator('text=restarted').waitFor({ timeout: 60_000 });
    await shoot(page, 'deployment-desktop');
  });

  it('is keyboard navigable: the skip link, the views, the focus on each heading', async () => {
    await page.goto(`${fleet.manager.url}/#/`);
    await page.locator('h1', { hasText: 'Fleet' }).waitFor();
    // Focus the page itself, as a fresh load does: the next Tab starts from the top.
    await page.evaluate("document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex')");
    await page.keyboard.press('Tab');
    assert.equal(await focused(page, 'textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page, 'textContent'), 'Fleet');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page, 'textContent'), 'Deployments');
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Deployments' }).waitFor();
    await eventually(async () => ((await focused(page, 'tagName')) === 'H1' ? true : undefined), 5_000, 'the focus on the heading');
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    it(`renders every view at ${viewport.width}×${viewport.height} without a serious accessibility problem`, async () => {
      await page.setViewportSize(viewport);
      const views: [string, string, string][] = [
        ['fleet', '#/', 'Fleet'],
        ['host', `#/hosts/${fleet.hostId}`, `Host ${fleet.hostname}`],
        ['deployments', '#/deployments', 'Deployments'],
        ['deployment', `#/deployments/${deploymentId}`, `Deployment ${STACK}`],
        ['deploy', '#/deploy', 'Deploy a stack'],
        ['report', '#/report', 'Analysis report'],
        ['audit', '#/audit', 'Audit log'],
        ['users', '#/users', 'Users and roles'],
        ['search', '#/search', 'Search the fleet'],
        ['alerts', '#/alerts', 'Alerts'],
      ];
      for (const [name, hash, title] of views) {
        await page.goto(`${fleet.manager.url}/${hash}`);
        await page.locator('h1', { hasText: title }).waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        if (name === 'host') await page.locator('#containers').waitFor({ timeout: 20_000 });
        if (name === 'audit') await page.locator('#audit tbody tr').first().waitFor();
        if (name === 'users') await page.locator('#users tbody tr').first().waitFor();
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        const wide = await page.evaluate<string[]>(
          "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > innerWidth + 1)).slice(0, 3).map((e) => e.tagName + '.' + e.className)",
        );
        await shoot(page, `${name}-${size}`);
        assert.ok(overflow <= 1, `${name} at ${size}: the page scrolls sideways by ${overflow} px (${wide.join(', ')})`);
        await assertAccessible(page, `${name} at ${size}`);
      }
      await page.setViewportSize(VIEWPORTS.desktop);
    });
  }

  it('logs out; a reload stays logged out; nothing came from elsewhere and nothing failed', async () => {
    await page.goto(`${fleet.manager.url}/#/`);
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.reload();
    await page.waitForSelector('#login-form');
    assert.deepEqual(problems.filter((p) => !/401|422/.test(p)), []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { analyze, render, RULES } from '../../../src/analyze/index.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { sampleReport } from './fixture.js';

const CHROMIUM = process.env.SHIPSHAPE_CHROMIUM ?? '/usr/bin/chromium';

/** A report whose findings have what used to push the table out of its card: long places, ids and unbroken words. */
function longReport() {
  const report = sampleReport();
  const env = report.projects[0]!.environments[0]!;
  env.findings.push({
    rule: 'healthy-without-healthcheck',
    severity: 'high',
    service: 'a-service-with-a-rather-long-name-from-a-generated-stack',
    services: ['a-service-with-a-rather-long-name-from-a-generated-stack'],
    file: 'deploy/environments/production/overrides/docker-compose.production.override.yml',
    line: 1234,
    column: 56,
    message: `unbroken ${'x'.repeat(180)} https://example.com/${'path/'.repeat(30)}`,
    fix: `set ${'VERY_LONG_VARIABLE_NAME_'.repeat(8)}=1`,
  });
  return report;
}

describe('the HTML report at 1280 px in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  });
  after(async () => {
    await browser?.close();
  });

  const stack57 = analyze({ root: fixturePath('generated', 'stack-57'), rules: RULES, env: {}, version: 'test' }).report;
  for (const [name, report] of [
    ['long places, rule ids and unbroken words', longReport()],
    ['the 57-service stack', stack57],
  ] as const) {
    it(`${name}: the findings card does not overflow, nor does the page`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      try {
        await page.setContent(render('html', report, RULES), { waitUntil: 'load' });
        const cards = await page.$$eval('.findings-card', (els) => els.map((e) => ({ scroll: e.scrollWidth, client: e.clientWidth })));
        assert.ok(cards.length > 0, 'a findings card');
        for (const card of cards) assert.ok(card.scroll <= card.client, `findings card ${card.scroll} > ${card.client}`);
        const pageWidth = await page.$eval('html', (el) => el.scrollWidth);
        assert.ok(pageWidth <= 1280, `page ${pageWidth} px wide`);
      } finally {
        await page.close();
      }
    });
  }
});

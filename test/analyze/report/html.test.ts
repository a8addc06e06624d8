import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { renderHtml, richText } from '../../../src/analyze/report/html.js';
import { RULES, baseEnvironment, sampleReport, service } from './fixture.js';

const html = renderHtml(sampleReport(), RULES);

function inlineBlocks(page: string, tag: 'style' | 'script'): string[] {
  return [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

describe('html format', () => {
  it('is one self-contained document: inline style and script, nothing loaded from anywhere', () => {
    assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
    assert.ok(html.endsWith('</html>\n'));
    assert.doesNotMatch(html, /<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\(\s*['"]?(?!#)/i);
    assert.doesNotMatch(html, /\bsrc\s*=/i);
    assert.doesNotMatch(html, /(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    // Links stay inside the page.
    for (const [, href] of html.matchAll(/\bhref\s*=\s*"([^"]*)"/g)) assert.match(href!, /^#/);
    assert.equal(inlineBlocks(html, 'style').length, 1);
    assert.equal(inlineBlocks(html, 'script').length, 1);
  });

  it('its Content-Security-Policy loads nothing and allows exactly its own style and script', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp);
    const [style] = inlineBlocks(html, 'style');
    const [script] = inlineBlocks(html, 'script');
    assert.equal(
      csp,
      `default-src 'none'; style-src 'sha256-${sha256(style!)}'; script-src 'sha256-${sha256(script!)}'; base-uri 'none'; form-action 'none'`,
    );
    // A style attribute would be blocked by that policy.
    assert.doesNotMatch(html, /\sstyle\s*=/i);
  });

  it('escapes every text from the files: a <script> in a message or a name stays text', () => {
    const report = sampleReport();
    const env = report.projects[0]!.environments[0]!;
    const evil = '<img src=x onerror=alert(1)>';
    env.inventory.services.push(service({ name: evil, image: '"><script>alert(2)</script>', networks: ['frontend'] }));
    env.graph.startup_order.push([evil]);
    env.graph.edges.push({ from: evil, to: 'api', kind: 'env-url', port: 1 });
    env.findings.push({
      rule: 'x"><script>alert(3)</script>',
      severity: 'info',
      service: evil,
      services: [evil],
      file: '<b>.yml',
      line: 1,
      column: 1,
      message: 'bad <script>alert(4)</script> `<code>` & "quotes"',
      fix: "it's `</code><script>alert(5)</script>`",
    });
    report.projects[0]!.dir = '</title><script>alert(6)</script>';
    const page = renderHtml(report, RULES);
    assert.equal(page.match(/<script/g)?.length, 1, 'only the page script');
    assert.doesNotMatch(page, /<img|<b>\.yml|alert\(\d\)<\/script>/);
    assert.ok(page.includes('bad &lt;script&gt;alert(4)&lt;/script&gt; <code>&lt;code&gt;</code> &amp; &quot;quotes&quot;'));
    assert.ok(page.includes('it&#39;s <code>&lt;/code&gt;&lt;script&gt;alert(5)&lt;/script&gt;</code>'));
    assert.ok(page.includes('<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th>'));
    assert.ok(page.includes('<title>Shipshape report · &lt;/title&gt;&lt;script&gt;alert(6)&lt;/script&gt;</title>'));
  });

  it('has the summary: three gauges with their scores and verdicts, and the counts', () => {
    const gauges = [...html.matchAll(/<svg class="gauge v-(\w+)"[^>]*aria-label="([\d.]+) out of 10">/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(gauges, [
      ['poor', '4.5'],
      ['poor', '2.0'],
      ['fair', '7.5'],
    ]);
    assert.ok(html.includes('<div class="gauge-label">Production readiness</div><div class="verdict v-fair">REQUIRES FIXES</div>'));
    assert.ok(html.includes('<span class="big">2</span> services'));
    assert.ok(html.includes('<li><span class="badge sev-critical">Critical</span> <b>2</b></li>'));
  });

  it('lists findings critical first with severity badges, and filter buttons for the severities present', () => {
    const rows = [...html.matchAll(/<tr data-severity="(\w+)">\n<td><span class="badge sev-\1">/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['critical', 'critical', 'high', 'medium', 'medium', 'low']);
    const buttons = [...html.matchAll(/<button type="button"(?: class="sev-\w+")? data-severity="(\w+)" aria-pressed="true">/g)].map((m) => m[1]);
    assert.deepEqual(buttons, ['all', 'critical', 'high', 'medium', 'low']);
    assert.ok(html.includes('<td class="loc"><code>compose.yaml:18:17</code></td>'));
    assert.ok(html.includes('<div class="fix"><span class="fix-label">Fix</span> remove <code>privileged: true</code> and add'));
    // The buttons point at their table.
    assert.ok(html.includes('data-table="env-1-findings"'));
    assert.ok(html.includes('<table class="findings" id="env-1-findings">'));
  });

  it('has the inventory, the communication matrix, the drawn graph and the start order', () => {
    assert.ok(html.includes('<td class="ports"><code class="flag">0.0.0.0:8080→80/tcp</code></td>'));
    assert.ok(html.includes('<span class="chip bad">privileged</span>'));
    assert.ok(
      html.includes(
        '<tr><th scope="row">web</th><td class="talks"><span class="chip k-depends_on">depends_on</span> ' +
          '<span class="chip k-config-file">config-file :8000</span> <span class="muted">via frontend</span></td><td class="self">·</td></tr>',
      ),
    );
    assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="graph" /);
    assert.ok(html.includes('<ol class="levels"><li><span class="level-n">1</span><span class="chip svc">api</span></li><li><span class="level-n">2</span><span class="chip svc">web</span></li></ol>'));
    assert.ok(html.includes('connects an internal network to a non-internal one'));
  });

  it('with several environments, starts with an overview linking to each', () => {
    const report = sampleReport();
    report.projects.push({ dir: 'apps/shop', environments: [{ ...baseEnvironment(), name: 'prod', findings: [], scores: { overall: 9, security: 8.5, production_readiness: 10 } }] });
    const page = renderHtml(report, RULES);
    const rows = [...page.matchAll(/<tr><th scope="row"><a href="#(env-\d)"><code>([^<]+)<\/code> · (\w+)<\/a><\/th>((?:<td[^>]*>[^<]*<\/td>){3})/g)].map(
      (m) => [m[1], m[2], m[3], [...m[4]!.matchAll(/class="num v-(\w+)">([\d.]+)</g)].map((c) => `${c[2]} ${c[1]}`).join(', ')],
    );
    assert.deepEqual(rows, [
      ['env-1', '.', 'base', '4.5 poor, 2.0 poor, 7.5 fair'],
      ['env-2', 'apps/shop', 'prod', '9.0 good, 8.5 good, 10.0 good'],
    ]);
    assert.ok(page.includes('<section class="env" id="env-2">'));
    assert.ok(!html.includes('class="overview"'));
  });

  it('richText shows code spans as code and escapes everything', () => {
    assert.equal(richText('a `<b>` c'), 'a <code>&lt;b&gt;</code> c');
    assert.equal(richText('lone ` tick <i>'), 'lone &#96; tick &lt;i&gt;');
  });

  it('an empty report still renders a page', () => {
    const page = renderHtml({ version: 1, tool: { name: 'shipshape', version: '0.1.0' }, projects: [] }, RULES);
    assert.ok(page.includes('<p class="empty">No compose project was found.</p>'));
  });

  it('lists a finding once when environments repeat it, with every service it applies to', () => {
    const report = sampleReport();
    const base = report.projects[0]!.environments[0]!;
    const shared = { rule: 'missing-healthcheck', severity: 'medium' as const, file: 'compose.yaml', line: 2, column: 3, fix: null };
    base.findings.push({ ...shared, service: 'api', services: ['api'], message: 'no health check' }, { ...shared, service: 'worker', services: ['worker'], message: 'no health check' });
    report.projects[0]!.environments.push({ ...base, name: 'prod', findings: base.findings.map((f) => ({ ...f })) });
    const html = renderHtml(report, RULES);
    assert.equal(html.split('runs privileged: it has full access').length - 1, 1);
    assert.match(html, /<td class="svc">api, worker<\/td>/);
    assert.match(html, /8 findings as in an environment above, not repeated\./);
  });
});

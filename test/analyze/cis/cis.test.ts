import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { analyze, CIS_RECOMMENDATIONS, compareCis, isCisId, render, RULES, type Finding } from '../../../src/analyze/index.js';
import { writeTree, yaml } from '../../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../../bin/shipshape.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [bin, 'analyze', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

/** One service per weakness, so each finding's CIS id can be checked on its own. */
const STACK = {
  'compose.yaml': yaml`
    services:
      priv:
        image: app:1.2
        privileged: true
      sock:
        image: app:1.2
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock
      hostnet:
        image: app:1.2
        network_mode: host
        pid: host
        cgroup: host
      confined:
        image: app:1.2
        security_opt:
          - seccomp:unconfined
          - apparmor:unconfined
          - systempaths=unconfined
      limits:
        image: app:1.2
        mem_limit: 256m
        ports:
          - "80:8080"
  `,
  'Dockerfile': 'FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nUSER 1000\n',
};

function findings(dir: string): Finding[] {
  const { report, problems } = analyze({ root: dir, rules: RULES, version: 'test', env: {} });
  assert.deepEqual(problems, []);
  return report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings));
}

const cisOf = (all: Finding[], rule: string, service?: string, message?: RegExp) =>
  all.filter((f) => f.rule === rule && (service === undefined || f.service === service) && (!message || message.test(f.message))).map((f) => f.cis);

describe('CIS Docker Benchmark mapping', () => {
  it('names only recommendations of the catalogue, in benchmark order, and maps the rules an auditor expects', () => {
    for (const rule of RULES) {
      for (const id of rule.cis ?? []) assert.ok(isCisId(id), `${rule.id}: ${id}`);
      assert.deepEqual([...(rule.cis ?? [])], [...(rule.cis ?? [])].sort(compareCis), rule.id);
    }
    const byRule = Object.fromEntries(RULES.map((r) => [r.id, r.cis ?? []]));
    assert.deepEqual(byRule.privileged, ['5.5']);
    assert.deepEqual(byRule['docker-socket-mount'], ['5.32']);
    assert.deepEqual(byRule['writable-rootfs'], ['5.13']);
    assert.deepEqual(byRule['no-new-privileges-missing'], ['5.26']);
    assert.deepEqual(byRule['root-user'], ['4.1']);
    // Loose correspondences are left out on purpose (docs/rules/README.md).
    assert.deepEqual(byRule['latest-tag'], []);
    assert.deepEqual(byRule['missing-restart-policy'], []);
    assert.deepEqual(byRule['hardcoded-secret'], []);
    // Every recommendation of the catalogue is used by some rule.
    const used = new Set(RULES.flatMap((r) => r.cis ?? []));
    assert.deepEqual(Object.keys(CIS_RECOMMENDATIONS).filter((id) => !used.has(id as never)), []);
    assert.equal(compareCis('4.10', '4.9') > 0, true);
    assert.equal(compareCis('5.10', '5.2') > 0, true);
  });

  it('gives each finding the recommendations it fails, a subset of its rule', () => {
    const all = findings(writeTree(STACK));
    const rules = new Map<string, (typeof RULES)[number]>(RULES.map((r) => [r.id, r]));
    for (const f of all) {
      assert.ok(Array.isArray(f.cis), f.rule);
      for (const id of f.cis!) assert.ok(rules.get(f.rule)!.cis?.includes(id as never), `${f.rule} ${id}`);
    }
    assert.deepEqual(cisOf(all, 'privileged'), [['5.5']]);
    assert.deepEqual(cisOf(all, 'docker-socket-mount'), [['5.32']]);
    assert.deepEqual(cisOf(all, 'host-namespace', 'hostnet', /network stack/), [['5.10']]);
    assert.deepEqual(cisOf(all, 'host-namespace', 'hostnet', /process namespace/), [['5.16']]);
    assert.deepEqual(cisOf(all, 'host-namespace', 'hostnet', /cgroup namespace/), [[]]);
    assert.deepEqual(cisOf(all, 'unconfined-profile', 'confined', /seccomp/), [['5.22']]);
    assert.deepEqual(cisOf(all, 'unconfined-profile', 'confined', /AppArmor/), [['5.2']]);
    assert.deepEqual(cisOf(all, 'unconfined-profile', 'confined', /unmasks/), [[]]);
    // The memory limit is set: only CPU (5.12) and pids (5.29) are missing.
    assert.deepEqual(cisOf(all, 'missing-resource-limits', 'limits'), [['5.12', '5.29']]);
    assert.deepEqual(cisOf(all, 'privileged-port', 'limits'), [['5.8']]);
    assert.deepEqual(cisOf(all, 'unbound-port-interface', 'limits'), [['5.14']]);
    assert.deepEqual(cisOf(all, 'latest-tag'), []);
  });

  it('maps only the apt-get update alone in its RUN to 4.7', () => {
    const dir = writeTree({
      'compose.yaml': 'services:\n  app:\n    build: .\n    image: app:1.2\n',
      Dockerfile: 'FROM debian:12.5\nRUN apt-get update\nRUN apt-get update && apt-get install -y curl\nUSER 1000\n',
    });
    const apt = findings(dir).filter((f) => f.rule === 'dockerfile-apt-hygiene');
    assert.deepEqual(apt.map((f) => [f.line, f.cis]), [[2, ['4.7']], [3, []]]);
  });

  it('groups text, Markdown and HTML by CIS id in benchmark order, unmapped findings last', () => {
    const dir = writeTree(STACK);
    const { report } = analyze({ root: dir, rules: RULES, version: 'test', env: {} });
    const text = render('text', report, RULES, { groupBy: 'cis' });
    const headings = text.split('\n').filter((l) => /^(CIS \d|not in the CIS)/.test(l));
    const ids = headings.filter((l) => l.startsWith('CIS')).map((l) => l.split(' ')[1]!);
    assert.deepEqual(ids, [...ids].sort(compareCis));
    assert.ok(ids.includes('5.5') && ids.includes('5.32') && ids.includes('5.10'), ids.join(' '));
    assert.match(headings.at(-1)!, /^not in the CIS Docker Benchmark v1\.6\.0/);
    assert.match(text, /^CIS 5\.5 Ensure that privileged containers are not used$/m);
    // Grouped by CIS, each line names its file.
    assert.match(text, /CIS 5\.5 .*\n\s+compose\.yaml:4:\d+\s+critical\s+service "priv"/);
    const plain = render('text', report, RULES);
    assert.match(plain, /privileged · CIS 5\.5/);

    const md = render('md', report, RULES, { groupBy: 'cis' });
    assert.match(md, /^## Findings by CIS Docker Benchmark v1\.6\.0 recommendation$/m);
    assert.match(md, /^### CIS 5\.32 Ensure that the Docker socket is not mounted inside any containers · 1 finding/m);
    assert.ok(md.indexOf('### CIS 5.5 ') < md.indexOf('### CIS 5.32 '));
    assert.match(render('md', report, RULES), /`privileged` · critical · security · CIS 5\.5 ·/);

    const html = render('html', report, RULES, { groupBy: 'cis' });
    assert.match(html, /<tr class="group"><th colspan="5">CIS 5\.5 Ensure that privileged containers are not used<\/th><\/tr>/);
    assert.match(render('html', report, RULES), /<div class="cis">CIS 5\.5<\/div>/);
  });

  it('carries the ids in JSON and SARIF, groups on the command line, and refuses --group-by for JSON', () => {
    const dir = writeTree(STACK);
    const json = JSON.parse(cli([dir, '--format', 'json']).stdout) as { projects: { environments: { findings: Finding[] }[] }[] };
    const privileged = json.projects[0]!.environments[0]!.findings.find((f) => f.rule === 'privileged')!;
    assert.deepEqual(privileged.cis, ['5.5']);
    const sarif = JSON.parse(cli([dir, '--format', 'sarif']).stdout) as {
      runs: { tool: { driver: { rules: { id: string; properties: { tags: string[]; cis?: string[] } }[] } }; results: { ruleId: string; properties: { cis: string[] } }[] }[];
    };
    const rule = sarif.runs[0]!.tool.driver.rules.find((r) => r.id === 'docker-socket-mount')!;
    assert.deepEqual(rule.properties.cis, ['5.32']);
    assert.ok(rule.properties.tags.includes('CIS-5.32'));
    assert.deepEqual(sarif.runs[0]!.results.find((r) => r.ruleId === 'docker-socket-mount')!.properties.cis, ['5.32']);
    const grouped = cli([dir, '--group-by', 'cis', '--fail-on', 'never']);
    assert.equal(grouped.status, 0, grouped.stderr);
    assert.match(grouped.stdout, /^CIS 5\.32 Ensure that the Docker socket is not mounted inside any containers$/m);
    const refused = cli([dir, '--group-by', 'cis', '--format', 'json']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--group-by applies to the text, md and html formats/);
    assert.equal(cli([dir, '--group-by', 'severity']).status, 2);
    assert.match(cli(['--explain', 'all']).stdout, /^privileged +critical +security +A service runs with `privileged: true`\. {2}\(CIS 5\.5\)$/m);
    assert.match(cli(['--explain', 'privileged']).stdout, /CIS Docker Benchmark v1\.6\.0: 5\.5 Ensure that privileged containers are not used/);
  });
});

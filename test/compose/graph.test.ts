import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, RULES } from '../../src/analyze/index.js';
import { DependencyCycleError, loadProject, serviceGraph, startupLevels } from '../../src/compose/index.js';
import * as engine from '../../src/engine/index.js';
import { writeTree, yaml } from '../helpers/tmp.js';

const STACK = yaml`
  services:
    vpn: {image: x:1}
    app: {image: x:1, network_mode: "service:vpn", depends_on: [db]}
    db: {image: x:1}
    backup: {image: x:1, volumes_from: ["db:ro", "container:other"]}
    legacy: {image: x:1, links: ["app:application"]}
    debug: {image: x:1, depends_on: [app], profiles: [debug]}
`;

function loaded(compose: string) {
  const dir = writeTree({ 'compose.yaml': compose });
  const result = loadProject({ workingDir: dir, env: {} });
  assert.ok(result.project);
  return { ...result, project: result.project, dir };
}

describe('serviceGraph', () => {
  it('waits for depends_on, service namespaces, volumes_from and links, and leaves out services not in the project', () => {
    const { project } = loaded(STACK);
    const graph = serviceGraph(project);
    assert.deepEqual(graph.dependenciesOf('app'), ['db', 'vpn']);
    assert.deepEqual(graph.dependenciesOf('backup'), ['db']);
    assert.deepEqual(graph.dependenciesOf('legacy'), ['app']);
    assert.deepEqual(graph.dependentsOf('db'), ['app', 'backup']);
    assert.deepEqual(graph.levels, [['db', 'vpn'], ['app', 'backup'], ['legacy']]);
    assert.deepEqual(
      graph.dependencies.map((d) => `${d.from}->${d.to} ${d.kind} ${d.path.join('.')}`),
      [
        'app->db depends_on services.app.depends_on.db',
        'app->vpn network_mode services.app.network_mode',
        'backup->db volumes_from services.backup.volumes_from.0',
        'legacy->app links services.legacy.links.0',
      ],
    );
  });

  it('is the order both analyze prints and the engine runs', () => {
    const { project, dir } = loaded(STACK);
    const { report } = analyze({ root: dir, rules: RULES, env: {}, version: 'test' });
    const printed = report.projects[0]!.environments[0]!.graph.startup_order;
    assert.deepEqual(printed, engine.startupLevels(project));
    assert.deepEqual(printed, startupLevels(project));
  });

  it('finds each cycle once and refuses it with the file:line of its first dependency', () => {
    const { project, positionOf, dir } = loaded(yaml`
      services:
        a: {image: x:1, depends_on: [b]}
        b: {image: x:1, links: [c]}
        c: {image: x:1, depends_on: [a]}
        d: {image: x:1, depends_on: [a]}
    `);
    const graph = serviceGraph(project);
    assert.equal(graph.cycles.length, 1);
    assert.deepEqual(graph.levels, [['a', 'b', 'c', 'd']]);
    assert.throws(
      () => startupLevels(project, positionOf),
      (err: unknown) =>
        err instanceof DependencyCycleError &&
        err.message === `${join(dir, 'compose.yaml')}:4:32: services depend on each other in a cycle: a → b → c → a`,
    );
  });
});

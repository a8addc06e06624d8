import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph } from '../../src/analyze/graph.js';
import { buildInventory } from '../../src/analyze/inventory.js';
import { communicationMatrix, segmentationZones } from '../../src/analyze/zones.js';
import { yaml } from '../helpers/tmp.js';
import { contextOf } from './project-context.js';

// Seed 002's shape: a DMZ, an application zone and an internal sandbox.
const ctx = contextOf({
  'compose.yaml': yaml`
    services:
      nginx:
        image: nginx:1.27
        ports: ["443:443"]
        networks: [frontend, backend]
        depends_on: [api]
        volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
      web: {image: x:1, networks: [frontend]}
      api:
        image: x:1
        networks: [backend, analysis]
        environment: {DATABASE_URL: "postgres://db:5432/app"}
      db: {image: postgres:16, networks: [backend], ports: ["127.0.0.1:5432:5432"]}
      runner: {image: x:1, networks: [analysis]}
      probe: {image: x:1, network_mode: "service:runner"}
      tools: {image: x:1, network_mode: host}
      agent: {image: x:1, network_mode: host}
    networks:
      frontend: {}
      backend: {}
      analysis: {internal: true}
  `,
  'nginx.conf': 'http { server { location / { proxy_pass http://api:8000; } } }\n',
});
const inventory = buildInventory(ctx);
const graph = buildGraph(ctx);

describe('segmentationZones', () => {
  it('sorts services into zones and names the bridges between networks', () => {
    assert.deepEqual(segmentationZones(inventory), {
      external: ['agent', 'nginx', 'tools'],
      internal: ['api', 'db', 'web'],
      isolated: ['probe', 'runner'],
      bridges: [
        { service: 'api', networks: ['analysis', 'backend'] },
        { service: 'nginx', networks: ['backend', 'frontend'] },
      ],
    });
  });
});

describe('communicationMatrix', () => {
  const matrix = communicationMatrix(graph, inventory);
  const cell = (from: string, to: string): string[] => matrix.cells[from]?.[to] ?? ['<missing>'];

  it('has a sorted row and column for every service and a cell for every pair', () => {
    assert.deepEqual(matrix.services, ['agent', 'api', 'db', 'nginx', 'probe', 'runner', 'tools', 'web']);
    for (const from of matrix.services) assert.deepEqual(Object.keys(matrix.cells[from] ?? {}), matrix.services);
  });

  it('combines graph edges and shared networks, in a fixed order', () => {
    assert.deepEqual(cell('nginx', 'api'), ['depends_on', 'config-file', 'network']);
    assert.deepEqual(cell('api', 'nginx'), ['network']);
    assert.deepEqual(cell('api', 'db'), ['env-url', 'network']);
    assert.deepEqual(cell('nginx', 'web'), ['network']);
  });

  it('says when two services cannot reach each other', () => {
    assert.deepEqual(cell('web', 'db'), []);
    assert.deepEqual(cell('web', 'web'), []);
    assert.deepEqual(cell('db', 'runner'), []);
  });

  it('follows shared network stacks and the host network', () => {
    assert.deepEqual(cell('probe', 'api'), ['network']);
    assert.deepEqual(cell('probe', 'runner'), ['depends_on', 'network']);
    assert.deepEqual(cell('tools', 'agent'), ['network']);
    assert.deepEqual(cell('tools', 'web'), []);
  });
});

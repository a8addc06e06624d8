import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { podSecurityProblems } from './pod-security.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * deploy/k8s (docs/deploy.md, "Kubernetes"), rendered by `kubectl kustomize` (scripts/test-env.mjs
 * installs Debian's kubernetes-client where no kubectl is) after `shipshape manager init-secrets`
 * made each overlay's secret files, then checked: every object against the Kubernetes schemas of
 * kubernetes-models, the Pod Security Standards, service accounts, network policies, secrets.
 */
describe('deploy/k8s overlays', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'shipshape-k8s-test-'));
  const rendered = new Map<string, Json[]>();

  before(async () => {
    cpSync(join(process.cwd(), 'deploy', 'k8s'), join(scratch, 'k8s'), { recursive: true, filter: (source) => !source.includes(`${join('manager', 'secrets')}`) });
    for (const overlay of ['dev', 'prod']) {
      await run(process.execPath, [CLI, 'manager', 'init-secrets', '--dir', join(scratch, 'k8s', 'overlays', overlay, 'manager', 'secrets'), '--database-host', 'shipshape-postgres']);
      let stdout: string;
      try {
        ({ stdout } = await run('kubectl', ['kustomize', join(scratch, 'k8s', 'overlays', overlay)], { maxBuffer: 16 * 2 ** 20 }));
      } catch (err) {
        throw new Error(`kubectl kustomize failed (no kubectl? run node scripts/test-env.mjs): ${(err as Error).message}`);
      }
      rendered.set(
        overlay,
        parseAllDocuments(stdout).map((doc) => doc.toJS() as Json).filter(Boolean),
      );
    }
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const kinds = (overlay: string) => rendered.get(overlay)!.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  const find = (overlay: string, kind: string, name: string) => rendered.get(overlay)!.find((o) => o.kind === kind && o.metadata.name.startsWith(name));

  for (const overlay of ['dev', 'prod']) {
    it(`${overlay}: every object is valid against the Kubernetes schemas (kubernetes-models)`, async () => {
      const objects = rendered.get(overlay)!;
      assert.ok(objects.length >= 15, `${objects.length} objects`);
      for (const object of objects) {
        const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
        const Model = module[object.kind];
        assert.ok(Model, `kubernetes-models knows ${object.apiVersion} ${object.kind}`);
        // kustomize folds long base64 values over lines; the API server's decoder (Go's) skips
        // line breaks, the schema's "byte" format does not.
        const data = object.kind === 'Secret' ? { data: Object.fromEntries(Object.entries(object.data ?? {}).map(([k, v]) => [k, String(v).replace(/\s+/g, '')])) } : {};
        assert.doesNotThrow(() => new Model({ ...object, ...data }).validate(), `${object.kind} ${object.metadata.name}`);
      }
    });

    it(`${overlay}: the manager's namespace enforces "restricted" and its pods meet it; the agent's pods differ only where the Docker socket makes them`, () => {
      const namespaces = new Map(rendered.get(overlay)!.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name as string, o.metadata.labels as Record<string, string>]));
      assert.equal(namespaces.get('shipshape')?.['pod-security.kubernetes.io/enforce'], 'restricted');
      assert.equal(namespaces.get('shipshape-agent')?.['pod-security.kubernetes.io/enforce'], 'privileged');
      const workloads = rendered.get(overlay)!.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));
      assert.deepEqual(workloads.map((w) => w.kind).sort(), ['DaemonSet', 'Deployment', 'StatefulSet']);
      for (const workload of workloads) {
        const pod = workload.spec.template.spec as Json;
        assert.equal(pod.automountServiceAccountToken, false, `${workload.metadata.name} mounts no service account token`);
        for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${container.name}: read-only root filesystem`);
          assert.ok(container.resources?.limits?.memory, `${container.name}: a memory limit`);
        }
        if (workload.metadata.namespace === 'shipshape') {
          assert.deepEqual(podSecurityProblems(pod, 'restricted'), [], `${workload.metadata.name} meets restricted`);
        } else {
          assert.equal(workload.metadata.namespace, 'shipshape-agent');
          assert.deepEqual(
            podSecurityProblems(pod, 'restricted').sort(),
            [
              'volume docker-socket is a hostPath',
              'volume work is a hostPath',
              'container work-dir: runAsNonRoot is not true',
              'container work-dir runs as user 0',
              'container work-dir adds capability CHOWN',
              'container agent uses hostPort 8003',
            ].sort(),
          );
        }
      }
      const manager = find(overlay, 'Deployment', 'shipshape-manager')!;
      assert.equal(manager.spec.replicas, overlay === 'prod' ? 2 : 1);
    });

    it(`${overlay}: service accounts mount no token, each namespace denies by default, and secrets are files`, () => {
      const objects = rendered.get(overlay)!;
      for (const account of objects.filter((o) => o.kind === 'ServiceAccount')) assert.equal(account.automountServiceAccountToken, false, account.metadata.name);
      for (const namespace of ['shipshape', 'shipshape-agent']) {
        const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === namespace && o.metadata.name === 'default-deny-all');
        assert.ok(deny, `default deny in ${namespace}`);
        assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      }
      const postgresPolicy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'shipshape-postgres')!;
      assert.deepEqual(postgresPolicy.spec.ingress[0].from, [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'shipshape-manager' } } }], 'only the managers reach PostgreSQL');
      assert.deepEqual(postgresPolicy.spec.egress, []);

      const secret = find(overlay, 'Secret', 'shipshape-database')!;
      assert.equal(secret.metadata.namespace, 'shipshape');
      const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
      assert.deepEqual(Object.keys(data).sort(), ['admin-password', 'database-url', 'postgres-password']);
      assert.equal(new URL(data['database-url']!).password, encodeURIComponent(data['postgres-password']!), 'the URL carries the password PostgreSQL is given');
      assert.equal(new URL(data['database-url']!).hostname, 'shipshape-postgres');
      for (const workload of objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))) {
        for (const container of workload.spec.template.spec.containers) {
          for (const env of container.env ?? []) {
            assert.ok(!env.valueFrom?.secretKeyRef, `${container.name}: ${env.name} is a file, not an environment value`);
            assert.doesNotMatch(String(env.value ?? ''), /postgres:\/\//, `${container.name}: no URL with a password in the environment`);
          }
        }
        for (const volume of workload.spec.template.spec.volumes ?? []) {
          if (!volume.secret) continue;
          // The enrollment token is made by the running manager, then stored by the operator (docs/deploy.md).
          if (volume.secret.secretName === 'shipshape-agent-enrollment') continue;
          assert.equal(volume.secret.secretName, secret.metadata.name, 'references follow the generated name');
        }
      }
    });
  }

  it('renders the prod overlay with its production settings', () => {
    assert.ok(kinds('prod').includes('PodDisruptionBudget/shipshape/shipshape-manager'));
    const service = find('prod', 'Service', 'shipshape-manager')!;
    assert.equal(service.spec.type, 'LoadBalancer');
    const manager = find('prod', 'Deployment', 'shipshape-manager')!;
    assert.equal(manager.spec.template.spec.containers[0].image, 'registry.example.com/shipshape:0.1.0');
    const names = manager.spec.template.spec.containers[0].env.find((e: Json) => e.name === 'TLS_NAMES').value as string;
    assert.ok(names.split(',').includes('shipshape.example.com'));
    const daemonSet = find('prod', 'DaemonSet', 'shipshape-agent')!;
    const env = Object.fromEntries(daemonSet.spec.template.spec.containers[0].env.map((e: Json) => [e.name, e.value ?? e.valueFrom]));
    assert.equal(env.MANAGER_URL, 'https://shipshape-manager.shipshape.svc:8000');
    assert.deepEqual(env.ENROLL_ADDRESS, { fieldRef: { fieldPath: 'status.hostIP' } });
    assert.equal(env.ENROLL_TOKEN_FILE, '/run/secrets/enrollment/token');
  });

  it('the Pod Security check finds what it should (it can fail)', () => {
    const bad = { hostNetwork: true, containers: [{ name: 'c', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } }], volumes: [{ name: 'v', hostPath: { path: '/' } }] };
    const problems = podSecurityProblems(bad, 'restricted');
    for (const expected of ['spec.hostNetwork is true', 'container c is privileged', 'container c adds capability SYS_ADMIN', 'volume v is a hostPath', 'container c does not drop ALL capabilities', 'container c: runAsNonRoot is not true']) {
      assert.ok(problems.includes(expected), expected);
    }
    assert.ok(readFileSync(join(process.cwd(), 'deploy', 'k8s', 'base', 'agent', 'namespace.yaml'), 'utf8').includes('privileged'));
  });
});

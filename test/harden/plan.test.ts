import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { planHardening, prepareHardening, renderOverlay, resolveTarget, type HardenInput, type ImageInfo } from '../../src/harden/index.js';
import { writeTree, yaml } from '../helpers/tmp.js';

/** The planner's input for a compose file, from the real loader and analyzer (no engine: the files' facts alone). */
async function inputFor(compose: string, files: Record<string, string> = {}, images: Record<string, Partial<ImageInfo>> = {}): Promise<HardenInput> {
  const dir = writeTree({ 'compose.yaml': compose, ...files });
  const { input } = await prepareHardening({ target: resolveTarget({ dir }), env: {} });
  const merged = new Map(input.images);
  for (const [name, info] of Object.entries(images)) merged.set(name, { ...merged.get(name)!, ...info });
  return { ...input, images: merged };
}

const mergeTags = ['!reset', '!override'].flatMap((tag) => [
  { tag, collection: 'map' as const, resolve: (v: unknown) => v },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
  { tag, resolve: (v: string) => (v === 'null' || v === '' ? null : v) },
]);

function overlayOf(input: HardenInput) {
  const text = renderOverlay(planHardening(input), ['test']);
  return { text, doc: parse(text, { customTags: mergeTags }) as { services: Record<string, Record<string, unknown>>; networks?: Record<string, unknown>; secrets?: Record<string, unknown> } };
}

const ROOT_IMAGE: Partial<ImageInfo> = { user: { name: 'root', root: true }, dropsPrivileges: false, tools: { sh: true, wget: true, nc: true }, unprivilegedUser: '65534:65534' };

describe('harden: each hardening', () => {
  it('no-new-privileges and cap_drop ALL, each under a comment naming its finding', async () => {
    const { text, doc } = overlayOf(await inputFor(yaml`
      services:
        api:
          image: registry.example.com/api:1.4
    `));
    assert.deepEqual(doc.services['api']!['security_opt'], ['no-new-privileges:true']);
    assert.deepEqual(doc.services['api']!['cap_drop'], ['ALL']);
    assert.match(text, /# no-new-privileges-missing: .*\n\s+security_opt:/);
    assert.match(text, /# no-cap-drop: .*\n\s+cap_drop:/);
  });

  it('leaves a service that already drops everything and sets no-new-privileges alone', async () => {
    const { doc } = overlayOf(await inputFor(yaml`
      services:
        api:
          image: registry.example.com/api:1.4
          cap_drop: [ALL]
          security_opt: ["no-new-privileges:true"]
    `));
    assert.equal(doc.services['api']!['cap_drop'], undefined);
    assert.equal(doc.services['api']!['security_opt'], undefined);
  });

  it('NET_BIND_SERVICE for a port below 1024; CHOWN, SETUID, SETGID for an entrypoint that drops privileges, and no user then', async () => {
    const input = await inputFor(
      yaml`
        services:
          web:
            image: local/web:1
            expose: ["80"]
          db:
            image: postgres:16.1
      `,
      {},
      { web: ROOT_IMAGE },
    );
    const { doc } = overlayOf(input);
    assert.deepEqual(doc.services['web']!['cap_add'], ['NET_BIND_SERVICE']);
    assert.equal(doc.services['web']!['user'], '65534:65534');
    assert.deepEqual(doc.services['db']!['cap_add'], ['CHOWN', 'SETUID', 'SETGID']);
    assert.equal(doc.services['db']!['user'], undefined);
    const plan = planHardening(input);
    assert.match(plan.services['db']!.skipped.find((s) => s.kind === 'user')!.reason, /switches to an unprivileged user/);
  });

  it('read_only with a tmpfs for /tmp, unless /tmp is mounted already; a base read_only: false stays and is explained', async () => {
    const input = await inputFor(yaml`
      services:
        a:
          image: registry.example.com/a:1
        b:
          image: registry.example.com/b:1
          tmpfs: [/tmp]
        c:
          image: registry.example.com/c:1
          read_only: false
    `);
    const { doc } = overlayOf(input);
    assert.equal(doc.services['a']!['read_only'], true);
    assert.deepEqual(doc.services['a']!['tmpfs'], ['/tmp']);
    assert.equal(doc.services['b']!['read_only'], true);
    assert.equal(doc.services['b']!['tmpfs'], undefined);
    assert.equal(doc.services['c']!['read_only'], undefined);
    assert.match(planHardening(input).services['c']!.skipped.find((k) => k.kind === 'read-only')!.reason, /read_only: false on purpose/);
  });

  it('limits, log rotation and a restart policy for a long-running service; a one-shot job gets no restart policy', async () => {
    const { doc } = overlayOf(await inputFor(yaml`
      services:
        migrate:
          image: registry.example.com/app:1
          command: [migrate]
        app:
          image: registry.example.com/app:1
          depends_on:
            migrate:
              condition: service_completed_successfully
    `));
    assert.equal(doc.services['app']!['mem_limit'], '512M');
    assert.equal(doc.services['app']!['cpus'], 1);
    assert.equal(doc.services['app']!['pids_limit'], 256);
    assert.deepEqual(doc.services['app']!['logging'], { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
    assert.equal(doc.services['app']!['restart'], 'unless-stopped');
    assert.equal(doc.services['migrate']!['restart'], undefined);
  });

  it('only the missing limits are written', async () => {
    const { doc } = overlayOf(await inputFor(yaml`
      services:
        app:
          image: registry.example.com/app:1
          deploy:
            resources:
              limits: {memory: 1G}
    `));
    assert.equal(doc.services['app']!['mem_limit'], undefined);
    assert.equal(doc.services['app']!['pids_limit'], 256);
  });

  it('a healthcheck with a tool the image has: HTTP for a web port, TCP otherwise, none without a tool', async () => {
    const input = await inputFor(
      yaml`
        services:
          web:
            image: local/web:1
            expose: ["8080"]
          cache:
            image: local/cache:1
            expose: ["6380"]
          bare:
            image: local/bare:1
            expose: ["8080"]
      `,
      {},
      { web: ROOT_IMAGE, cache: ROOT_IMAGE, bare: { ...ROOT_IMAGE, tools: { sh: false, wget: false, curl: false, nc: false } } },
    );
    const plan = planHardening(input);
    assert.deepEqual(plan.services['web']!.healthcheck!.test, ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/']);
    assert.deepEqual(plan.services['cache']!.healthcheck!.test, ['CMD-SHELL', 'nc -w 3 127.0.0.1 6380 </dev/null']);
    assert.equal(plan.services['bare']!.healthcheck, undefined);
    assert.match(plan.services['bare']!.skipped.find((s) => s.kind === 'healthcheck')!.reason, /no known probe program/);
  });

  it('ports: a data store to 127.0.0.1, a web entry point written as 0.0.0.0, the list replaced with !override', async () => {
    const { text, doc } = overlayOf(await inputFor(yaml`
      services:
        db:
          image: postgres:16.1
          ports: ["5432:5432"]
        proxy:
          image: nginx:1.25.3
          ports: ["80:80", "8081:8081"]
    `));
    assert.deepEqual(doc.services['db']!['ports'], ['127.0.0.1:5432:5432/tcp']);
    assert.deepEqual(doc.services['proxy']!['ports'], ['0.0.0.0:80:80/tcp', '127.0.0.1:8081:8081/tcp']);
    assert.match(text, /# exposed-database-port, unbound-port-interface: .*\n\s+ports: !override/);
  });

  it('networks: services that publish nothing move to an internal network the publishers join', async () => {
    const { doc } = overlayOf(await inputFor(yaml`
      services:
        web:
          image: nginx:1.25.3
          ports: ["127.0.0.1:8080:80"]
        worker:
          image: registry.example.com/worker:1
    `));
    assert.deepEqual(doc.networks, { internal: { internal: true } });
    assert.deepEqual(doc.services['worker']!['networks'], { internal: null });
    assert.deepEqual(doc.services['web']!['networks'], { default: null, internal: null });
  });

  it('secrets: a password the image reads from <KEY>_FILE becomes a compose secret; others a required variable', async () => {
    const input = await inputFor(yaml`
      services:
        db:
          image: postgres:16.1
          environment:
            POSTGRES_PASSWORD: Xk29fLq0Zr8pWm3
        app:
          image: registry.example.com/app:1
          environment:
            API_TOKEN: Qw8rT5yU2iO9pA1sD4fG
    `);
    const plan = planHardening(input);
    const { doc } = overlayOf(input);
    assert.deepEqual(doc.services['db']!['environment'], { POSTGRES_PASSWORD: null, POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password' });
    assert.deepEqual(doc.services['db']!['secrets'], ['postgres_password']);
    assert.deepEqual(doc.secrets, { postgres_password: { file: './secrets/postgres_password.txt' } });
    assert.deepEqual(doc.services['app']!['environment'], { API_TOKEN: '${API_TOKEN:?set API_TOKEN in .env}' });
    assert.deepEqual(plan.requiredVariables, ['API_TOKEN']);
  });

  it('an overlay environment that weakens its base gets the base hardening back', async () => {
    const dir = writeTree({
      'docker-compose.yml': yaml`
        services:
          api:
            image: registry.example.com/api:1
            user: "1001:1001"
            read_only: true
            cap_drop: [ALL]
        networks:
          db:
            internal: true
      `,
      'docker-compose.dev.yml': yaml`
        services:
          api:
            user: root
            read_only: false
        networks:
          db:
            internal: false
      `,
    });
    const { input } = await prepareHardening({ target: resolveTarget({ dir, env: 'dev' }), env: {} });
    const plan = planHardening(input);
    assert.equal(plan.services['api']!.user!.user, '1001:1001');
    assert.ok(plan.services['api']!.user!.rules.includes('dev-override-weakens-security'));
    assert.ok(plan.services['api']!.readOnly);
    assert.deepEqual(plan.networks['db'], { internal: true, rules: ['internal-network-exposed'], note: 'the base keeps this network internal' });
  });
});

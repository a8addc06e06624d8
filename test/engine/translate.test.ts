import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPOSE_VERSION, containerSpec, networkCreateBody, volumeCreateBody } from '../../src/engine/index.js';
import { load } from './helpers.js';

describe('containerSpec', () => {
  const { project, dir } = load(
    `
services:
  web:
    image: app:1
    command: ["httpd", "-f"]
    entrypoint: /init
    environment: {A: "1", EMPTY: ""}
    ports: ["127.0.0.1:8080:80", "9000/udp"]
    expose: ["3000-3001"]
    volumes:
      - ./html:/www:ro
      - data:/data
      - {type: bind, source: ./conf, target: /conf, bind: {propagation: rslave}}
      - {type: tmpfs, target: /cache, tmpfs: {size: 1m, mode: 0o1777}}
      - /anon
    tmpfs: ["/run:size=64k"]
    networks:
      front: {aliases: [www], priority: 10}
      back: {ipv4_address: 10.9.0.9}
    healthcheck: {test: "wget -q -O- http://127.0.0.1/", interval: 1m30s, timeout: 500ms, retries: 3, start_period: 2s}
    restart: on-failure:3
    user: "1000:1000"
    working_dir: /www
    labels: {team: web}
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    privileged: true
    read_only: true
    security_opt: ["no-new-privileges:true"]
    mem_limit: 1g
    deploy: {resources: {limits: {cpus: "1.5", memory: 256m, pids: 64}, reservations: {memory: 128m}}}
    ulimits: {nproc: 100, nofile: {soft: 1024, hard: 2048}}
    extra_hosts: {db.local: 10.0.0.2}
    hostname: web-host
    init: true
    stop_signal: SIGQUIT
    stop_grace_period: 1m30s
    secrets: [token, {source: token, target: /etc/token}]
    configs: [{source: conf, target: /etc/app.conf}, conf]
    logging: {driver: json-file, options: {max-size: 10m}}
    depends_on: {db: {condition: service_healthy}}
  db: {image: d}
  side: {image: s, network_mode: "service:db"}
networks: {front: {}, back: {}}
volumes: {data: {}}
secrets: {token: {file: ./token.txt}}
configs: {conf: {file: ./app.conf}}
`,
    'demo',
    { 'token.txt': 't', 'app.conf': 'c' },
  );
  const spec = containerSpec(project, project.services['web']!, { number: 2, configHash: 'abc', image: 'app:1', imageId: 'sha256:1' });
  const body = spec.body;
  const host = body.HostConfig!;

  it('names the container and labels it as compose v2 does', () => {
    assert.equal(spec.name, 'demo-web-2');
    assert.deepEqual(body.Labels, {
      team: 'web',
      'com.docker.compose.project': 'demo',
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.config-hash': 'abc',
      'com.docker.compose.project.working_dir': dir,
      'com.docker.compose.project.config_files': `${dir}/compose.yaml`,
      'com.docker.compose.version': COMPOSE_VERSION,
      'com.docker.compose.depends_on': 'db:service_healthy:false',
      'com.docker.compose.image': 'sha256:1',
    });
  });

  it('translates the container settings', () => {
    assert.equal(body.Image, 'app:1');
    assert.deepEqual(body.Cmd, ['httpd', '-f']);
    assert.deepEqual(body.Entrypoint, ['/init']);
    assert.deepEqual(body.Env, ['A=1', 'EMPTY=']);
    assert.equal(body.User, '1000:1000');
    assert.equal(body.WorkingDir, '/www');
    assert.equal(body.Hostname, 'web-host');
    assert.equal(body.StopSignal, 'SIGQUIT');
    assert.equal(body.StopTimeout, 90);
    assert.deepEqual(body.ExposedPorts, { '80/tcp': {}, '9000/udp': {}, '3000/tcp': {}, '3001/tcp': {} });
    assert.deepEqual(body.Healthcheck, {
      Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1/'],
      Interval: 90e9,
      Timeout: 500e6,
      StartPeriod: 2e9,
      Retries: 3,
    });
  });

  it('sends a variable without a value as a bare name, which unsets the image default, as compose does', () => {
    const { project: p } = load('services:\n  app:\n    image: app:1\n    environment: [UNSET_IN_SHELL, SET=1]\n');
    const env = containerSpec(p, p.services['app']!, { number: 1, configHash: 'h', image: 'app:1' }).body.Env;
    assert.deepEqual(env, ['UNSET_IN_SHELL', 'SET=1']);
  });

  it('translates ports, mounts, secrets and configs', () => {
    assert.deepEqual(host.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
      '9000/udp': [{ HostIp: '', HostPort: '' }],
    });
    assert.deepEqual(host.Binds, [`${dir}/html:/www:ro`]);
    assert.deepEqual(host.Mounts, [
      { Type: 'volume', Source: 'demo_data', Target: '/data', ReadOnly: false },
      { Type: 'bind', Source: `${dir}/conf`, Target: '/conf', ReadOnly: false, BindOptions: { Propagation: 'rslave' } },
      { Type: 'tmpfs', Source: '', Target: '/cache', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
      { Type: 'volume', Source: '', Target: '/anon', ReadOnly: false },
      { Type: 'bind', Source: `${dir}/token.txt`, Target: '/run/secrets/token', ReadOnly: true },
      { Type: 'bind', Source: `${dir}/token.txt`, Target: '/etc/token', ReadOnly: true },
      { Type: 'bind', Source: `${dir}/app.conf`, Target: '/etc/app.conf', ReadOnly: true },
      { Type: 'bind', Source: `${dir}/app.conf`, Target: '/conf', ReadOnly: true },
    ]);
    assert.deepEqual(host.Tmpfs, { '/run': 'size=64k' });
  });

  it('translates security, limits, restart and logging', () => {
    assert.deepEqual(host.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(host.CapDrop, ['ALL']);
    assert.equal(host.Privileged, true);
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges:true']);
    // deploy.resources wins over mem_limit, as in compose.
    assert.equal(host.Memory, 256 * 1024 * 1024);
    assert.equal(host.MemoryReservation, 128 * 1024 * 1024);
    assert.equal(host.NanoCpus, 1.5e9);
    assert.equal(host.PidsLimit, 64);
    assert.deepEqual(host.Ulimits, [
      { Name: 'nofile', Soft: 1024, Hard: 2048 },
      { Name: 'nproc', Soft: 100, Hard: 100 },
    ]);
    assert.deepEqual(host.ExtraHosts, ['db.local:10.0.0.2']);
    assert.equal(host.Init, true);
    assert.deepEqual(host.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.deepEqual(host.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } });
  });

  it('joins the highest-priority network at creation and the others after, with aliases', () => {
    assert.equal(host.NetworkMode, 'demo_front');
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { demo_front: { Aliases: ['demo-web-2', 'web', 'www'] } } });
    assert.deepEqual(spec.extraNetworks, [
      { network: 'demo_back', endpoint: { Aliases: ['demo-web-2', 'web'], IPAMConfig: { IPv4Address: '10.9.0.9' } } },
    ]);
  });

  it('turns network_mode: service:x into the container of x', () => {
    const side = containerSpec(project, project.services['side']!, { number: 1, configHash: 'h', image: 's', containerOf: () => 'c0ffee' });
    assert.equal(side.body.HostConfig!.NetworkMode, 'container:c0ffee');
    assert.equal(side.body.NetworkingConfig, undefined);
    assert.deepEqual(side.extraNetworks, []);
  });

  it('labels networks and volumes for compose', () => {
    assert.deepEqual(networkCreateBody(project, 'back'), {
      Name: 'demo_back',
      Labels: { 'com.docker.compose.network': 'back', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': COMPOSE_VERSION },
    });
    assert.deepEqual(volumeCreateBody(project, 'data'), {
      Name: 'demo_data',
      Labels: { 'com.docker.compose.volume': 'data', 'com.docker.compose.project': 'demo', 'com.docker.compose.version': COMPOSE_VERSION },
    });
  });
});

describe('containerSpec: kernel, cgroup and namespace keys', () => {
  const { project } = load(`
services:
  db: {image: d, scale: 2}
  app:
    image: a
    sysctls: [net.core.somaxconn=1024]
    dns: 10.0.0.53
    dns_search: example.org
    dns_opt: [ndots:2]
    devices: ["/dev/fuse", "/dev/null:/dev/n:r"]
    device_cgroup_rules: ["c 10:229 rwm"]
    links: ["db:database"]
    external_links: ["legacy:old"]
    pid: service:db
    ipc: host
    shm_size: 64m
    oom_score_adj: -100
    group_add: ["1234"]
    storage_opt: {size: 1G}
    mac_address: 02:42:ac:11:65:43
    cgroup_parent: custom
    cgroup: private
    runtime: runc
    blkio_config: {weight: 300, device_read_bps: [{path: /dev/sda, rate: 1mb}], device_write_iops: [{path: /dev/sda, rate: 30}]}
    cpu_shares: 512
    cpu_quota: 50000
    cpu_period: 100ms
    cpu_rt_runtime: 950
    cpuset: "0-1"
    mem_swappiness: 10
    memswap_limit: -1
    oom_kill_disable: true
    volumes_from: ["db:ro", "container:elsewhere"]
    gpus: [{driver: nvidia, count: 2}]
    deploy: {restart_policy: {condition: any}}
    platform: linux/amd64
    domainname: example.com
`);
  const spec = containerSpec(project, project.services['app']!, { number: 1, configHash: 'h', image: 'a', containerOf: (s) => `id-of-${s}` });
  const host = spec.body.HostConfig!;

  it('sends each key to its Engine API field, as compose v2 does', () => {
    assert.equal(spec.body.platform, 'linux/amd64');
    assert.equal(spec.body.Domainname, 'example.com');
    assert.equal(spec.body.MacAddress, '02:42:ac:11:65:43');
    assert.deepEqual(
      {
        Sysctls: host.Sysctls,
        Dns: host.Dns,
        DnsSearch: host.DnsSearch,
        DnsOptions: host.DnsOptions,
        Devices: host.Devices,
        DeviceCgroupRules: host.DeviceCgroupRules,
        PidMode: host.PidMode,
        IpcMode: host.IpcMode,
        ShmSize: host.ShmSize,
        OomScoreAdj: host.OomScoreAdj,
        GroupAdd: host.GroupAdd,
        StorageOpt: host.StorageOpt,
        CgroupParent: host.CgroupParent,
        CgroupnsMode: host.CgroupnsMode,
        Runtime: host.Runtime,
        BlkioWeight: host.BlkioWeight,
        BlkioDeviceReadBps: host.BlkioDeviceReadBps,
        BlkioDeviceWriteIOps: host.BlkioDeviceWriteIOps,
        CpuShares: host.CpuShares,
        CpuQuota: host.CpuQuota,
        CpuPeriod: host.CpuPeriod,
        CpuRealtimeRuntime: host.CpuRealtimeRuntime,
        CpusetCpus: host.CpusetCpus,
        MemorySwappiness: host.MemorySwappiness,
        MemorySwap: host.MemorySwap,
        OomKillDisable: host.OomKillDisable,
        VolumesFrom: host.VolumesFrom,
        DeviceRequests: host.DeviceRequests,
        RestartPolicy: host.RestartPolicy,
      },
      {
        Sysctls: { 'net.core.somaxconn': '1024' },
        Dns: ['10.0.0.53'],
        DnsSearch: ['example.org'],
        DnsOptions: ['ndots:2'],
        Devices: [
          { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
          { PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'r' },
        ],
        DeviceCgroupRules: ['c 10:229 rwm'],
        PidMode: 'container:id-of-db',
        IpcMode: 'host',
        ShmSize: 64 * 1024 ** 2,
        OomScoreAdj: -100,
        GroupAdd: ['1234'],
        StorageOpt: { size: '1G' },
        CgroupParent: 'custom',
        CgroupnsMode: 'private',
        Runtime: 'runc',
        BlkioWeight: 300,
        BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 1024 ** 2 }],
        BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 30 }],
        CpuShares: 512,
        CpuQuota: 50000,
        CpuPeriod: 100000,
        CpuRealtimeRuntime: 950,
        CpusetCpus: '0-1',
        MemorySwappiness: 10,
        MemorySwap: -1,
        OomKillDisable: true,
        VolumesFrom: ['demo-db-1:ro', 'elsewhere'],
        DeviceRequests: [{ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] }],
        RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
      },
    );
  });

  it('links every container of the linked service under its alias, and external links as written', () => {
    const links = ['demo-db-1:database', 'demo-db-1:db-1', 'demo-db-1:demo-db-1', 'demo-db-2:database', 'demo-db-2:db-2', 'demo-db-2:demo-db-2', 'legacy:old'];
    assert.deepEqual(host.Links, links);
    assert.deepEqual(spec.body.NetworkingConfig?.EndpointsConfig?.['demo_default']?.Links, links);
  });
});

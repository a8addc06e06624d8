/**
 * The checks of the Kubernetes Pod Security Standards, "baseline" and "restricted" levels
 * (kubernetes.io/docs/concepts/security/pod-security-standards), on a pod spec as rendered: what
 * the API server's admission would refuse in a namespace enforcing that level. Each problem names
 * the field.
 */
type Json = Record<string, unknown>;

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

export function podSecurityProblems(podSpec: Json, level: 'baseline' | 'restricted'): string[] {
  const problems: string[] = [];
  const pod = obj(podSpec.securityContext);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (podSpec[field] === true) problems.push(`spec.${field} is true`);
  for (const sysctl of list(pod.sysctls)) if (!SAFE_SYSCTLS.has(String(sysctl.name))) problems.push(`spec.securityContext.sysctls: ${String(sysctl.name)} is not a safe sysctl`);
  if (obj(pod.seLinuxOptions).type && !['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(String(obj(pod.seLinuxOptions).type))) problems.push('spec.securityContext.seLinuxOptions.type');
  if (obj(pod.appArmorProfile).type === 'Unconfined') problems.push('spec.securityContext.appArmorProfile is Unconfined');
  const podSeccomp = obj(pod.seccompProfile).type as string | undefined;
  if (podSeccomp === 'Unconfined') problems.push('spec.securityContext.seccompProfile is Unconfined');
  for (const volume of list(podSpec.volumes)) {
    const kind = Object.keys(volume).find((key) => key !== 'name');
    if (kind === 'hostPath') problems.push(`volume ${String(volume.name)} is a hostPath`);
    else if (level === 'restricted' && kind && !RESTRICTED_VOLUMES.has(kind)) problems.push(`volume ${String(volume.name)} is a ${kind}`);
  }
  const containers = [...list(podSpec.initContainers), ...list(podSpec.containers), ...list(podSpec.ephemeralContainers)];
  for (const container of containers) {
    const where = `container ${String(container.name)}`;
    const sc = obj(container.securityContext);
    if (sc.privileged === true) problems.push(`${where} is privileged`);
    for (const port of list(container.ports)) if (port.hostPort !== undefined && port.hostPort !== 0) problems.push(`${where} uses hostPort ${String(port.hostPort)}`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') problems.push(`${where}: procMount ${String(sc.procMount)}`);
    if (obj(sc.seccompProfile).type === 'Unconfined') problems.push(`${where}: seccompProfile Unconfined`);
    if (obj(sc.appArmorProfile).type === 'Unconfined') problems.push(`${where}: appArmorProfile Unconfined`);
    const add = list(obj(sc.capabilities).add).map(String);
    for (const capability of add) {
      if (!BASELINE_CAPABILITIES.has(capability)) problems.push(`${where} adds capability ${capability}`);
      else if (level === 'restricted' && capability !== 'NET_BIND_SERVICE') problems.push(`${where} adds capability ${capability}`);
    }
    if (level !== 'restricted') continue;
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!list(obj(sc.capabilities).drop).map(String).includes('ALL')) problems.push(`${where} does not drop ALL capabilities`);
    const runAsNonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    const runAsUser = sc.runAsUser ?? pod.runAsUser;
    if (runAsUser === 0) problems.push(`${where} runs as user 0`);
    const seccomp = (obj(sc.seccompProfile).type as string | undefined) ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: no RuntimeDefault or Localhost seccomp profile`);
  }
  return problems;
}

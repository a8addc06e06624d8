/**
 * The CIS Docker Benchmark recommendations Shipshape's rules check, in the numbering of v1.6.0
 * (the release docker-bench-security follows). Earlier releases number section 5 one lower
 * (privileged was 5.4 in v1.5.0): an id here always means v1.6.0. Which rule maps to which, and
 * why some rules map to none, is in docs/rules/README.md ("CIS Docker Benchmark").
 */
export const CIS_BENCHMARK = 'CIS Docker Benchmark v1.6.0';

export const CIS_RECOMMENDATIONS = {
  '4.1': 'Ensure that a user for the container has been created',
  '4.4': 'Ensure images are scanned and rebuilt to include security patches',
  '4.6': 'Ensure that HEALTHCHECK instructions have been added to container images',
  '4.7': 'Ensure update instructions are not used alone in the Dockerfile',
  '4.9': 'Ensure that COPY is used instead of ADD in Dockerfiles',
  '4.10': 'Ensure secrets are not stored in Dockerfiles',
  '5.2': 'Ensure that, if applicable, an AppArmor Profile is enabled',
  '5.3': 'Ensure that, if applicable, SELinux security options are set',
  '5.4': 'Ensure that Linux kernel capabilities are restricted within containers',
  '5.5': 'Ensure that privileged containers are not used',
  '5.6': 'Ensure sensitive host system directories are not mounted on containers',
  '5.8': 'Ensure privileged ports are not mapped within containers',
  '5.10': "Ensure that the host's network namespace is not shared",
  '5.11': 'Ensure that the memory usage for containers is limited',
  '5.12': 'Ensure that CPU priority is set appropriately on containers',
  '5.13': "Ensure that the container's root filesystem is mounted as read only",
  '5.14': 'Ensure that incoming container traffic is bound to a specific host interface',
  '5.16': "Ensure that the host's process namespace is not shared",
  '5.17': "Ensure that the host's IPC namespace is not shared",
  '5.18': 'Ensure that host devices are not directly exposed to containers',
  '5.21': "Ensure that the host's UTS namespace is not shared",
  '5.22': 'Ensure the default seccomp profile is not Disabled',
  '5.25': 'Ensure that cgroup usage is confirmed',
  '5.26': 'Ensure that the container is restricted from acquiring additional privileges',
  '5.27': 'Ensure that container health is checked at runtime',
  '5.29': 'Ensure that the PIDs cgroup limit is used',
  '5.31': "Ensure that the host's user namespaces are not shared",
  '5.32': 'Ensure that the Docker socket is not mounted inside any containers',
} as const;

export type CisId = keyof typeof CIS_RECOMMENDATIONS;

export function isCisId(id: string): id is CisId {
  return Object.hasOwn(CIS_RECOMMENDATIONS, id);
}

/** `5.5 Ensure that privileged containers are not used`; an unknown id stands alone. */
export function cisTitle(id: string): string {
  return isCisId(id) ? `${id} ${CIS_RECOMMENDATIONS[id]}` : id;
}

/** Benchmark order: 4.1 < 4.10 < 5.2 < 5.10. */
export function compareCis(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** How times and figures read on the dashboard. */

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value)} %`;
}

/** The manager's thresholds (machine-lab's): 75 % warns, 90 % is critical. */
export function level(value: number | null | undefined): '' | 'warning' | 'critical' {
  if (value === null || value === undefined) return '';
  return value >= 90 ? 'critical' : value >= 75 ? 'warning' : '';
}

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

export function bySeverity<F extends { severity: string }>(findings: readonly F[]): F[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

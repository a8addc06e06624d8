import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ago } from '../format.js';

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={`badge ${value}`}>{label ?? value}</span>;
}

/** The severities counts are shown for (`info` is not counted). */
export const COUNTED_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/** A badge per severity with its count: `0 critical 2 high 5 medium 1 low`. */
export function SeverityCounts({ counts }: { counts: Readonly<Record<(typeof COUNTED_SEVERITIES)[number], number>> }) {
  return (
    <>
      {COUNTED_SEVERITIES.map((s) => (
        <span key={s}>
          <Badge value={s} label={`${counts[s]} ${s}`} />{' '}
        </span>
      ))}
    </>
  );
}

/**
 * A view's heading. It takes the focus when the view opens, so that keyboard and screen-reader
 * users land on the new content rather than on the link they followed.
 */
export function ViewTitle({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div class="view-head">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions ? <div class="view-actions">{actions}</div> : null}
    </div>
  );
}

export function ErrorNote({ text }: { text: string | null | undefined }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}

const ticks = new Set<() => void>();
setInterval(() => ticks.forEach((tick) => tick()), 5_000);

/** "12 s ago", kept current every few seconds without re-rendering its row. */
export function Age({ iso }: { iso: string | null }) {
  const [, setNow] = useState(0);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    ticks.add(tick);
    return () => ticks.delete(tick);
  }, []);
  return (
    <time class="age" dateTime={iso ?? undefined} title={iso ? new Date(iso).toLocaleString() : undefined}>
      {ago(iso)}
    </time>
  );
}

export function Meter({ value }: { value: number | null }) {
  if (value === null) return <span class="muted">–</span>;
  const tone = value >= 90 ? 'critical' : value >= 75 ? 'warning' : '';
  return (
    <span class="nowrap">
      <meter class={`meter ${tone}`} min={0} max={100} low={75} high={90} optimum={0} value={value} aria-label={`${value} %`} /> {value} %
    </span>
  );
}

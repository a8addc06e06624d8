/** Sparklines and line charts as plain SVG: no chart library, nothing but attributes (CSP). */

export function Sparkline({ values, label, max = 100 }: { values: readonly (number | null)[]; label: string; max?: number }) {
  const known = values.filter((v): v is number => v !== null);
  const last = known.length > 0 ? known[known.length - 1] : undefined;
  const width = 64;
  const height = 18;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  let points = '';
  values.forEach((v, i) => {
    if (v !== null) points += `${(i * step).toFixed(1)},${(height - 1 - (Math.min(max, Math.max(0, v)) / max) * (height - 2)).toFixed(1)} `;
  });
  const tone = last === undefined ? '' : last >= 90 ? 'critical' : last >= 75 ? 'warning' : '';
  return (
    <span class="spark">
      <svg class={`sparkline ${tone}`} width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: ${last === undefined ? 'no data' : `${Math.round(last)} %`}, last ${known.length} samples`}>
        <polyline points={points} />
      </svg>
      <span class="spark-value">{last === undefined ? '–' : `${Math.round(last)}%`}</span>
    </span>
  );
}

export interface Series {
  name: string;
  values: readonly (number | null)[];
  tone: 'a' | 'b' | 'c';
}

/** A line chart over time: `times` in ms, one or more series on a 0–max scale. */
export function LineChart({ title, times, series, max, unit }: { title: string; times: readonly number[]; series: readonly Series[]; max?: number; unit: string }) {
  const width = 560;
  const height = 160;
  const pad = { left: 36, right: 8, top: 8, bottom: 22 };
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const t0 = times[0] ?? 0;
  const t1 = times[times.length - 1] ?? 1;
  const x = (t: number) => pad.left + ((t - t0) / Math.max(1, t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - Math.min(top, Math.max(0, v)) / top) * (height - pad.top - pad.bottom);
  const latest = series.map((s) => {
    const known = s.values.filter((v): v is number => v !== null);
    return `${s.name} ${known.length ? `${Math.round(known[known.length - 1]!)}${unit}` : 'unknown'}`;
  });
  return (
    <figure class="chart">
      <figcaption>
        {title} <span class="muted">({latest.join(', ')})</span>
      </figcaption>
      {times.length === 0 ? (
        <p class="muted">No heartbeats in the last hour.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title} over the last hour: ${latest.join(', ')}`}>
          {[0, 0.5, 1].map((f) => (
            <g key={f}>
              <line class="grid" x1={pad.left} x2={width - pad.right} y1={y(top * f)} y2={y(top * f)} />
              <text class="axis" x={pad.left - 4} y={y(top * f) + 4} text-anchor="end">
                {Math.round(top * f)}
              </text>
            </g>
          ))}
          <text class="axis" x={pad.left} y={height - 4}>
            {new Date(t0).toLocaleTimeString()}
          </text>
          <text class="axis" x={width - pad.right} y={height - 4} text-anchor="end">
            {new Date(t1).toLocaleTimeString()}
          </text>
          {series.map((s) => (
            <polyline
              key={s.name}
              class={`line tone-${s.tone}`}
              points={s.values
                .map((v, i) => (v === null ? '' : `${x(times[i]!).toFixed(1)},${y(v).toFixed(1)}`))
                .filter(Boolean)
                .join(' ')}
            />
          ))}
        </svg>
      )}
      <ul class="legend">
        {series.map((s) => (
          <li key={s.name}>
            <span class={`swatch tone-${s.tone}`} aria-hidden="true" /> {s.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}

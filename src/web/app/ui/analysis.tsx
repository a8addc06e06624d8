import type { ComponentChildren } from 'preact';
import type { AnalysisPreview, DeploymentFinding, PreviewGraph } from '../../../contract/index.js';
import { bySeverity } from '../format.js';
import { Badge } from './bits.js';

type AnyFinding = DeploymentFinding & { fix?: string | null };

/** What a findings table needs of a finding: the where column is the caller's. */
interface TableFinding {
  severity: string;
  rule: string;
  message: string;
  fix?: string | null;
}

/** file:line, with the service below: where the analyzer's findings are. */
function inFile(f: AnyFinding): ComponentChildren {
  return (
    <>
      <span class="nowrap">
        {f.file}:{f.line}
      </span>
      {f.service ? <div class="muted">{f.service}</div> : null}
    </>
  );
}

/** The analyzer's findings: rule, file:line and service, what and the fix. */
export function FindingsTable({ findings, caption }: { findings: readonly AnyFinding[]; caption: string }) {
  return <SeverityTable findings={findings} caption={caption} whereTitle="Where" where={inFile} />;
}

/** Findings by severity, one row each; `where` fills the column that says where each one is. */
export function SeverityTable<F extends TableFinding>({
  findings,
  caption,
  id,
  where,
  whereTitle,
}: {
  findings: readonly F[];
  caption: string;
  id?: string;
  where: (f: F) => ComponentChildren;
  whereTitle: string;
}) {
  if (findings.length === 0) return <p class="muted">{caption}: none.</p>;
  return (
    <div class="scroll" tabIndex={0}>
      <table class="findings" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Rule</th>
            <th scope="col">{whereTitle}</th>
            <th scope="col">What</th>
          </tr>
        </thead>
        <tbody>
          {bySeverity(findings).map((f, i) => (
            <tr key={`${f.rule}-${i}`}>
              <td>
                <Badge value={f.severity} />
              </td>
              <td>
                <code>{f.rule}</code>
              </td>
              <td>{where(f)}</td>
              <td>
                {f.message}
                {f.fix ? <div class="muted">Fix: {f.fix}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Scores({ scores }: { scores: AnalysisPreview['scores'] }) {
  const items: [string, number][] = [
    ['Overall', scores.overall],
    ['Security', scores.security],
    ['Production readiness', scores.production_readiness],
  ];
  return (
    <dl class="summary scores">
      {items.map(([name, value]) => (
        <div key={name}>
          <dt class="muted">{name}</dt>
          <dd>
            <b>{value.toFixed(1)}</b> / 10
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The service graph: start-up levels left to right, an arrow from a service to what it needs. */
export function ServiceGraph({ graph }: { graph: PreviewGraph }) {
  const levels = graph.startup_order;
  if (levels.length === 0) return <p class="muted">No services.</p>;
  const boxW = 140;
  const boxH = 30;
  const gapX = 60;
  const gapY = 16;
  const tallest = Math.max(...levels.map((l) => l.length));
  const width = levels.length * boxW + (levels.length - 1) * gapX + 20;
  const height = tallest * boxH + (tallest - 1) * gapY + 20;
  const where = new Map<string, { x: number; y: number }>();
  levels.forEach((level, li) =>
    level.forEach((name, ni) => {
      const offset = ((tallest - level.length) * (boxH + gapY)) / 2;
      where.set(name, { x: 10 + li * (boxW + gapX), y: 10 + offset + ni * (boxH + gapY) });
    }),
  );
  const described = graph.edges.map((e) => `${e.from} needs ${e.to} (${e.kind})`).join('; ');
  return (
    <figure class="graph">
      <svg viewBox={`0 0 ${width} ${height}`} width={Math.min(width, 900)} role="img" aria-label={`Service graph, start-up order ${levels.map((l) => l.join(' and ')).join(', then ')}. ${described}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {graph.edges.map((edge, i) => {
          const from = where.get(edge.from);
          const to = where.get(edge.to);
          if (!from || !to) return null;
          return (
            <line
              key={i}
              class={`edge ${edge.kind}`}
              x1={from.x}
              y1={from.y + boxH / 2}
              x2={to.x + boxW}
              y2={to.y + boxH / 2}
              marker-end="url(#arrow)"
            />
          );
        })}
        {[...where].map(([name, at]) => (
          <g key={name} class="node">
            <rect x={at.x} y={at.y} width={boxW} height={boxH} rx={6} />
            <text x={at.x + boxW / 2} y={at.y + boxH / 2 + 4} text-anchor="middle">
              {name.length > 18 ? `${name.slice(0, 17)}…` : name}
            </text>
          </g>
        ))}
      </svg>
      <figcaption class="muted">Arrows point from a service to what it needs; columns start in order, left to right.</figcaption>
    </figure>
  );
}

/** The analysis of a package as the report shows it: decision, scores, findings, services and graph. */
export function AnalysisReport({ preview }: { preview: AnalysisPreview }) {
  return (
    <div class="report">
      <p class={`decision ${preview.decision}`} role="status">
        {preview.decision === 'accepted'
          ? `The gate accepts this package (gate: ${preview.gate}).`
          : `The gate refuses this package (gate: ${preview.gate}): ${preview.message ?? ''}`}
      </p>
      <Scores scores={preview.scores} />
      {preview.blocking.length > 0 ? <FindingsTable findings={preview.blocking} caption="Findings that refuse the deploy" /> : null}
      <FindingsTable findings={preview.findings} caption="All findings" />
      <h3>Services</h3>
      <div class="scroll" tabIndex={0}>
        <table>
          <caption class="sr-only">Services of the package</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Image</th>
              <th scope="col">Ports</th>
              <th scope="col">Exposure</th>
              <th scope="col">Security</th>
              <th scope="col">Health check</th>
              <th scope="col">Environment</th>
            </tr>
          </thead>
          <tbody>
            {preview.services.map((s) => (
              <tr key={s.name}>
                <th scope="row">{s.name}</th>
                <td>
                  <code>{s.image ?? '(built)'}</code>
                </td>
                <td>{s.ports.join(', ') || '–'}</td>
                <td>{s.exposure}</td>
                <td>
                  <Badge value={s.security_level} />
                </td>
                <td>{s.healthcheck ? 'yes' : 'no'}</td>
                <td>{s.environment.join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Graph</h3>
      <ServiceGraph graph={preview.graph} />
      <p class="muted">Compose files analyzed: {preview.files.join(', ')}</p>
    </div>
  );
}

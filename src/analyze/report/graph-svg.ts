import type { EdgeKind, EnvironmentReport, Exposure, InventoryService } from '../report-types.js';
import { compareText, externalPorts } from './derive.js';
import { escapeHtml } from './escape.js';

// The dependency graph drawn at render time, so the HTML report needs no script library: one
// column per start-order level (what starts first on the left), nodes coloured by exposure,
// arrows from a service to what it needs, styled by how the edge was found.

const NODE_HEIGHT = 48;
const ROW_GAP = 26;
const COLUMN_GAP = 120;
const MARGIN = 24;
const HEADER = 34;
const MIN_NODE_WIDTH = 128;
const MAX_NODE_WIDTH = 230;
const MAX_NAME_CHARS = 28;
/** Room on the right for same-column edges, which bulge out to the right. */
const RIGHT_PAD = 70;
const LEGEND_HEIGHT = 44;
/** The legend's width at its estimated text widths (see legend()). */
const LEGEND_WIDTH = 640;
/** Vertical distance between the lines of edges joining the same two services. */
const PARALLEL_GAP = 13;

const EDGE_KINDS: readonly EdgeKind[] = ['depends_on', 'env-url', 'config-file'];

interface Node {
  name: string;
  service: InventoryService | undefined;
  column: number;
  row: number;
  x: number;
  y: number;
  width: number;
}

interface DrawnEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  ports: number[];
}

/** An `<svg>` element (no XML prologue) for inline use; ids start with `idPrefix`. */
export function dependencyGraphSvg(env: EnvironmentReport, idPrefix: string): string {
  const services = new Map(env.inventory.services.map((s) => [s.name, s]));
  const columns = columnsOf(env);
  if (columns.length === 0) return '';
  const edges = drawnEdges(env);
  orderRows(columns, edges);

  // Geometry: each column as wide as its widest name, columns centred vertically.
  const nodes = new Map<string, Node>();
  const tallest = Math.max(...columns.map((c) => c.names.length));
  const columnHeight = (n: number): number => n * NODE_HEIGHT + (n - 1) * ROW_GAP;
  let x = MARGIN;
  const columnX: number[] = [];
  const columnWidth: number[] = [];
  columns.forEach((column, c) => {
    const width = Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH, ...column.names.map((n) => nodeWidth(n, services.get(n)))));
    const top = HEADER + MARGIN + (columnHeight(tallest) - columnHeight(column.names.length)) / 2;
    column.names.forEach((name, row) => {
      nodes.set(name, { name, service: services.get(name), column: c, row, x, y: top + row * (NODE_HEIGHT + ROW_GAP), width });
    });
    columnX.push(x);
    columnWidth.push(width);
    x += width + COLUMN_GAP;
  });
  const width = Math.max(x - COLUMN_GAP + RIGHT_PAD, LEGEND_WIDTH + 2 * MARGIN);
  const graphBottom = HEADER + MARGIN + columnHeight(tallest) + MARGIN;
  const height = graphBottom + LEGEND_HEIGHT;
  const p = escapeHtml(idPrefix);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" aria-labelledby="${p}-title">`,
    `<title id="${p}-title">Dependency graph: ${nodes.size} services, ${env.graph.edges.length} edges</title>`,
    '<defs>',
    ...EDGE_KINDS.map(
      (kind) =>
        `<marker id="${p}-arrow-${kind}" class="g-arrow g-${kind}" viewBox="0 0 10 10" refX="9" refY="5" ` +
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>',
    ),
    '</defs>',
  ];

  columns.forEach((column, c) => {
    const cx = (columnX[c] ?? 0) + (columnWidth[c] ?? 0) / 2;
    const title = column.level === null ? 'not ordered' : column.level === 0 ? 'level 1 · starts first' : `level ${column.level + 1}`;
    out.push(`<text class="g-column" x="${cx}" y="${MARGIN + 8}" text-anchor="middle">${escapeHtml(title)}</text>`);
  });

  // Edges first, so that nodes are drawn over them.
  const pairCount = new Map<string, number>();
  for (const edge of edges) pairCount.set(pairKey(edge), (pairCount.get(pairKey(edge)) ?? 0) + 1);
  const pairSeen = new Map<string, number>();
  for (const edge of edges) {
    const from = nodes.get(edge.from);
    const to = nodes.get(edge.to);
    if (!from || !to) continue;
    const n = pairCount.get(pairKey(edge)) ?? 1;
    const k = pairSeen.get(pairKey(edge)) ?? 0;
    pairSeen.set(pairKey(edge), k + 1);
    const lane = k - (n - 1) / 2;
    out.push(edgeSvg(edge, from, to, lane * Math.min(PARALLEL_GAP, (NODE_HEIGHT - 12) / n), lane, p));
  }

  for (const node of nodes.values()) out.push(nodeSvg(node));
  out.push(legend(graphBottom, p));
  out.push('</svg>');
  return out.join('\n');
}

interface Column {
  /** Start-order level, or null for services no level holds (a dependency cycle). */
  level: number | null;
  names: string[];
}

function columnsOf(env: EnvironmentReport): Column[] {
  const placed = new Set<string>();
  const columns: Column[] = [];
  env.graph.startup_order.forEach((level, i) => {
    const names = level.filter((name) => !placed.has(name));
    names.forEach((name) => placed.add(name));
    if (names.length > 0) columns.push({ level: i, names });
  });
  const rest = [
    ...env.inventory.services.map((s) => s.name),
    ...env.graph.edges.flatMap((e) => [e.from, e.to]),
  ].filter((name, i, all) => !placed.has(name) && all.indexOf(name) === i);
  if (rest.length > 0) columns.push({ level: null, names: rest });
  return columns;
}

/** One line per (from, to, kind), its ports merged; self-edges are not drawn. */
function drawnEdges(env: EnvironmentReport): DrawnEdge[] {
  const byKey = new Map<string, DrawnEdge>();
  for (const edge of env.graph.edges) {
    if (edge.from === edge.to) continue;
    const key = JSON.stringify([edge.from, edge.to, edge.kind]);
    const drawn = byKey.get(key) ?? { from: edge.from, to: edge.to, kind: edge.kind, ports: [] };
    if (edge.port !== null && !drawn.ports.includes(edge.port)) drawn.ports.push(edge.port);
    byKey.set(key, drawn);
  }
  return [...byKey.values()].sort((a, b) => EDGE_KINDS.indexOf(a.kind) - EDGE_KINDS.indexOf(b.kind));
}

/** Both directions between two services share one key, so their lines are spread apart too. */
function pairKey(edge: DrawnEdge): string {
  return JSON.stringify([edge.from, edge.to].sort(compareText));
}

/**
 * Fewer crossings: a few sweeps of the barycenter heuristic, each node moved towards the mean
 * row of its neighbours in the other columns. Deterministic (ties keep their order).
 */
function orderRows(columns: Column[], edges: readonly DrawnEdge[]): void {
  const neighbours = new Map<string, string[]>();
  for (const edge of edges) {
    neighbours.set(edge.from, [...(neighbours.get(edge.from) ?? []), edge.to]);
    neighbours.set(edge.to, [...(neighbours.get(edge.to) ?? []), edge.from]);
  }
  const rowOf = new Map<string, number>();
  const columnOf = new Map<string, number>();
  const index = (): void => {
    columns.forEach((column, c) =>
      column.names.forEach((name, row) => {
        rowOf.set(name, row);
        columnOf.set(name, c);
      }),
    );
  };
  index();
  const sweep = (order: number[]): void => {
    for (const c of order) {
      const column = columns[c];
      if (!column) continue;
      const centre = (name: string): number => {
        const rows = (neighbours.get(name) ?? []).filter((n) => columnOf.get(n) !== c).map((n) => rowOf.get(n) ?? 0);
        return rows.length > 0 ? rows.reduce((a, b) => a + b, 0) / rows.length : (rowOf.get(name) ?? 0);
      };
      const keyed = column.names.map((name, i) => ({ name, key: centre(name), i }));
      keyed.sort((a, b) => a.key - b.key || a.i - b.i || compareText(a.name, b.name));
      column.names = keyed.map((k) => k.name);
      index();
    }
  };
  // The first column keeps its order for the first sweep: the others line up with it.
  const forward = columns.map((_, c) => c);
  for (let pass = 0; pass < 3; pass++) {
    sweep(forward.slice(1));
    sweep(forward.slice(0, -1).reverse());
  }
}

/**
 * A cubic Bézier from `from` to `to`. `lane` spreads the edges between one pair of services: it
 * shifts the line vertically by `offset` and slides the port label along it, so labels of
 * parallel lines do not sit on top of each other.
 */
function edgeSvg(edge: DrawnEdge, from: Node, to: Node, offset: number, lane: number, prefix: string): string {
  const fy = from.y + NODE_HEIGHT / 2 + offset;
  const ty = to.y + NODE_HEIGHT / 2 + offset;
  let points: [Point, Point, Point, Point];
  if (from.column === to.column) {
    // Same level: out of the right side and back in, bulging further the further apart they are.
    const sx = from.x + from.width;
    const ex = to.x + to.width + 2;
    const bulge = 36 + 12 * Math.abs(from.row - to.row);
    points = [{ x: sx, y: fy }, { x: sx + bulge, y: fy }, { x: ex + bulge, y: ty }, { x: ex, y: ty }];
  } else {
    const leftward = to.column < from.column;
    const sx = leftward ? from.x : from.x + from.width;
    const ex = leftward ? to.x + to.width + 2 : to.x - 2;
    const dx = Math.max(40, Math.abs(sx - ex) / 2) * (leftward ? -1 : 1);
    points = [{ x: sx, y: fy }, { x: sx + dx, y: fy }, { x: ex - dx, y: ty }, { x: ex, y: ty }];
  }
  const [p0, p1, p2, p3] = points;
  const d = `M${r(p0.x)},${r(p0.y)} C${r(p1.x)},${r(p1.y)} ${r(p2.x)},${r(p2.y)} ${r(p3.x)},${r(p3.y)}`;
  const at = bezierPoint(points, Math.min(0.8, Math.max(0.2, 0.5 + lane * 0.2)));
  const ports = edge.ports.map((port) => `:${port}`).join(' ');
  const title = `${edge.from} → ${edge.to}: ${edge.kind}${ports ? ` ${ports}` : ''}`;
  return (
    `<g class="g-edge g-${edge.kind}"><title>${escapeHtml(title)}</title>` +
    `<path d="${d}" marker-end="url(#${prefix}-arrow-${edge.kind})"/>` +
    (ports ? `<text class="g-port" x="${r(at.x)}" y="${r(at.y + 4)}" text-anchor="middle">${escapeHtml(ports)}</text>` : '') +
    '</g>'
  );
}

interface Point {
  x: number;
  y: number;
}

function bezierPoint([p0, p1, p2, p3]: readonly [Point, Point, Point, Point], t: number): Point {
  const u = 1 - t;
  const at = (a: number, b: number, c: number, d: number): number => u * u * u * a + 3 * u * u * t * b + 3 * u * t * t * c + t * t * t * d;
  return { x: at(p0.x, p1.x, p2.x, p3.x), y: at(p0.y, p1.y, p2.y, p3.y) };
}

function nodeSvg(node: Node): string {
  const exposure: Exposure | 'unknown' = node.service?.exposure ?? 'unknown';
  const name = truncate(node.name);
  const detail = detailOf(node.service);
  const level = node.service?.security_level;
  const tooltip = node.service
    ? `${node.name}: ${exposure}, security level ${level}${node.service.image ? `, ${node.service.image}` : ''}`
    : node.name;
  const cx = node.x + node.width / 2;
  return (
    `<g class="g-node g-${exposure}"><title>${escapeHtml(tooltip)}</title>` +
    `<rect x="${r(node.x)}" y="${r(node.y)}" width="${r(node.width)}" height="${NODE_HEIGHT}" rx="8"/>` +
    (level ? `<circle class="g-level g-level-${level}" cx="${r(node.x + node.width - 10)}" cy="${r(node.y + 10)}" r="4"/>` : '') +
    `<text class="g-name" x="${r(cx)}" y="${r(node.y + 21)}" text-anchor="middle">${escapeHtml(name)}</text>` +
    `<text class="g-detail" x="${r(cx)}" y="${r(node.y + 37)}" text-anchor="middle">${escapeHtml(detail)}</text>` +
    '</g>'
  );
}

function legend(top: number, prefix: string): string {
  const y = top + 18;
  const items: string[] = [];
  let x = MARGIN;
  for (const kind of EDGE_KINDS) {
    items.push(
      `<g class="g-edge g-${kind}"><path d="M${x},${y} L${x + 34},${y}" marker-end="url(#${prefix}-arrow-${kind})"/></g>` +
        `<text class="g-legend" x="${x + 42}" y="${y + 4}">${kind}</text>`,
    );
    x += 42 + textWidth(kind, 6.6) + 24;
  }
  x += 12;
  for (const exposure of ['external', 'internal', 'isolated'] as const) {
    items.push(
      `<g class="g-node g-${exposure}"><rect x="${x}" y="${y - 8}" width="16" height="16" rx="4"/></g>` +
        `<text class="g-legend" x="${x + 22}" y="${y + 4}">${exposure}</text>`,
    );
    x += 22 + textWidth(exposure, 6.6) + 24;
  }
  return `<g class="g-legend-row">${items.join('')}</g>`;
}

/** A node's second line: its published ports, the host network, or its exposure. */
function detailOf(service: InventoryService | undefined): string {
  if (!service) return 'not a service';
  if (service.network_mode === 'host') return 'host network';
  const ports = [...new Set(externalPorts(service).map((p) => `:${p.published ?? p.target}`))];
  if (ports.length === 0) return service.exposure;
  return ports.slice(0, 3).join(' ') + (ports.length > 3 ? ' …' : '');
}

function nodeWidth(name: string, service: InventoryService | undefined): number {
  return Math.max(textWidth(truncate(name), 8), textWidth(detailOf(service), 6.6)) + 36;
}

function truncate(name: string): string {
  return name.length > MAX_NAME_CHARS ? `${name.slice(0, MAX_NAME_CHARS - 1)}…` : name;
}

/** A width estimate for the system sans-serif at the node's size; no font metrics at render time. */
function textWidth(text: string, perChar = 7.6): number {
  return text.length * perChar;
}

function r(n: number): string {
  return String(Math.round(n * 10) / 10);
}

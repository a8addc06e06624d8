// The HTML report's own style and script. Both are inlined into the page and allowed by their
// hashes in its Content-Security-Policy, so they must not depend on anything outside the page.
// The style follows the reader's light or dark scheme and prints on white, one environment a page.
// The script only adds the severity filters; without it every finding is shown.

export const PAGE_STYLE = `
:root{--bg:#f6f8fa;--card:#fff;--fg:#1f2328;--muted:#59636e;--border:#d0d7de;--code:rgba(175,184,193,.2);
--crit:#cf222e;--high:#d15704;--med:#9a6700;--low:#0969da;--info:#6e7781;--good:#1a7f37;
--ext-bg:#ffebe9;--ext:#cf222e;--int-bg:#ddf4ff;--int:#0969da;--iso-bg:#dafbe1;--iso:#1a7f37}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9198a1;--border:#30363d;--code:rgba(110,118,129,.4);
--crit:#f85149;--high:#f0883e;--med:#d29922;--low:#4493f8;--info:#9198a1;--good:#3fb950;
--ext-bg:#3d1a1c;--ext:#f85149;--int-bg:#102a45;--int:#4493f8;--iso-bg:#12301d;--iso:#3fb950}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
code{font:12px/1.4 ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;background:var(--code);padding:.1em .35em;border-radius:4px;overflow-wrap:break-word}
code.flag{color:var(--crit)}
.top{display:flex;justify-content:space-between;align-items:center;gap:16px;padding:12px 24px;background:#24292f;color:#fff}
.top .muted{color:#9198a1;font-weight:400}
.brand{font-weight:600;font-size:16px}.logo{color:#4493f8}
.meta{color:#d1d9e0;font-size:13px}
main{max-width:1240px;margin:0 auto;padding:8px 24px 24px}
h1{font-size:22px;font-weight:600;margin:16px 0}
h2{font-size:20px;font-weight:600;margin:0 0 4px;padding-bottom:8px;border-bottom:1px solid var(--border)}
h2 code{font-size:17px}
h3{font-size:16px;font-weight:600;margin:28px 0 10px}
.sep,.muted{color:var(--muted)}
.files{margin:6px 0 16px}.files code{margin-right:4px}
.hint{color:var(--muted);margin:-4px 0 10px;font-size:13px}
.sub{font-weight:600;margin:18px 0 8px}
.empty{color:var(--muted);font-style:italic}
.warn{color:var(--high);font-weight:600}
.toc{margin:0 0 24px;background:var(--card);border:1px solid var(--border);border-radius:8px}
.toc table{font-size:13px}.toc th,.toc td{border-width:0 0 1px 0;padding:5px 10px}
.toc tbody tr:last-child th,.toc tbody tr:last-child td{border-bottom:none}
.toc a{color:var(--low);text-decoration:none}.toc a:hover{text-decoration:underline}
.num{text-align:right;white-space:nowrap}
td.num.v-good{color:var(--good);font-weight:600}td.num.v-fair{color:var(--med);font-weight:600}td.num.v-poor{color:var(--crit);font-weight:600}
.env{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:20px 24px;margin:0 0 24px}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:12px 16px}
.summary{display:grid;grid-template-columns:repeat(3,minmax(150px,190px)) 1fr;gap:12px;align-items:stretch}
.gauge-card{text-align:center;padding:10px 8px}
.gauge{display:block;margin:0 auto}
.gauge-track{fill:none;stroke:var(--border);stroke-width:10}
.gauge-value{fill:none;stroke-width:10;stroke-linecap:round}
.gauge.v-good .gauge-value{stroke:var(--good)}.gauge.v-fair .gauge-value{stroke:var(--med)}.gauge.v-poor .gauge-value{stroke:var(--crit)}
.gauge-score{font-size:28px;font-weight:600;fill:var(--fg)}
.gauge-max{font-size:12px;fill:var(--muted)}
.gauge-label{font-weight:600}
.verdict{font-size:12px;font-weight:600;letter-spacing:.04em}
.v-good{color:var(--good)}.v-fair{color:var(--med)}.v-poor{color:var(--crit)}
.counts{display:flex;flex-direction:column;justify-content:center;gap:10px}
.count-line{color:var(--muted)}.big{font-size:22px;font-weight:600;color:var(--fg)}
ul.inline{list-style:none;display:flex;flex-wrap:wrap;gap:6px 14px;padding:0;margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:12px;font-size:12px;font-weight:600;line-height:18px;white-space:nowrap;border:1px solid transparent}
.badge.sev-critical{background:var(--crit);color:#fff}
.badge.sev-high{background:var(--high);color:#fff}
.badge.sev-medium{background:#fff8c5;color:#7d4e00;border-color:#d4a72c}
.badge.sev-low{background:#ddf4ff;color:#0550ae;border-color:#54aeff}
.badge.sev-info{background:var(--code);color:var(--muted);border-color:var(--border)}
.badge.exp-external{background:var(--ext-bg);color:var(--ext);border-color:var(--ext)}
.badge.exp-internal{background:var(--int-bg);color:var(--int);border-color:var(--int)}
.badge.exp-isolated{background:var(--iso-bg);color:var(--iso);border-color:var(--iso)}
.chip{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;line-height:20px;border:1px solid var(--border);white-space:nowrap;margin:1px 0}
.chip.good{color:var(--good);border-color:var(--good)}
.chip.bad{color:var(--crit);border-color:var(--crit)}
.chip.svc{font-weight:600}
.chip.k-depends_on{color:var(--fg);border-color:var(--muted)}
.chip.k-env-url{color:var(--int);border-color:var(--int);border-style:dashed}
.chip.k-config-file{color:#8250df;border-color:#8250df;border-style:dotted}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid var(--border);padding:6px 10px;text-align:left;vertical-align:top}
thead th{background:var(--bg);font-weight:600;white-space:nowrap}
tbody th{font-weight:600}
td.ports code{white-space:nowrap}
.findings{table-layout:fixed}
.findings col.c-sev{width:92px}.findings col.c-rule{width:170px}.findings col.c-loc{width:180px}.findings col.c-svc{width:130px}
.findings td{overflow-wrap:anywhere}
.findings .cis{font-size:11px;color:var(--muted)}
.findings tr.group th{text-align:left;padding-top:14px;font-size:13px}
.repeated{margin:6px 0 0}
tbody th{max-width:240px;white-space:normal;overflow-wrap:break-word}
.matrix thead th{white-space:normal;overflow-wrap:break-word;max-width:160px}
.msg{margin-bottom:2px}
.fix{color:var(--muted)}
.fix-label{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:var(--good);margin-right:4px}
.filters{display:none;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 10px}
.js .filters{display:flex}
.filters button{font:inherit;font-size:12px;font-weight:600;padding:3px 12px;border-radius:16px;border:1px solid var(--border);background:var(--card);color:var(--muted);cursor:pointer}
.filters button[aria-pressed="true"]{background:var(--fg);color:var(--card);border-color:var(--fg)}
.filters button.sev-critical[aria-pressed="true"]{background:var(--crit);border-color:var(--crit);color:#fff}
.filters button.sev-high[aria-pressed="true"]{background:var(--high);border-color:var(--high);color:#fff}
.filters button.sev-medium[aria-pressed="true"]{background:#d4a72c;border-color:#d4a72c;color:#1f2328}
.filters button.sev-low[aria-pressed="true"]{background:var(--low);border-color:var(--low);color:#fff}
.filters button.sev-info[aria-pressed="true"]{background:var(--info);border-color:var(--info);color:#fff}
.filters .n{font-weight:400;opacity:.85;margin-left:2px}
.shown{font-size:12px;margin-left:6px}
.matrix th.corner{color:var(--muted);font-weight:400}
.matrix td{text-align:center}
.matrix td.self{background:var(--bg);color:var(--muted)}
.matrix td.none{color:var(--border)}
.matrix td.talks{background:var(--int-bg)}
.graph-card{overflow-x:auto;padding:8px}
svg.graph{display:block;max-width:100%;height:auto;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
.g-column{font-size:11px;fill:var(--muted);text-transform:uppercase;letter-spacing:.06em}
.g-node rect{stroke-width:1.5}
.g-external rect{fill:var(--ext-bg);stroke:var(--ext)}
.g-internal rect{fill:var(--int-bg);stroke:var(--int)}
.g-isolated rect{fill:var(--iso-bg);stroke:var(--iso)}
.g-unknown rect{fill:var(--card);stroke:var(--muted);stroke-dasharray:4 3}
.g-name{font-size:13px;font-weight:600;fill:var(--fg)}
.g-detail{font-size:11px;fill:var(--muted)}
.g-level-critical{fill:var(--crit)}.g-level-high{fill:var(--high)}.g-level-medium{fill:#d4a72c}.g-level-low{fill:var(--low)}
.g-edge path{fill:none;stroke-width:1.6}
.g-depends_on path{stroke:#57606a}
.g-env-url path{stroke:#0969da;stroke-dasharray:7 4}
.g-config-file path{stroke:#8250df;stroke-dasharray:1.5 3.5;stroke-linecap:round;stroke-width:2}
.g-arrow path{stroke:none;stroke-dasharray:none}
.g-arrow.g-depends_on path{fill:#57606a}.g-arrow.g-env-url path{fill:#0969da}.g-arrow.g-config-file path{fill:#8250df}
.g-port{font-size:11px;fill:var(--fg);paint-order:stroke;stroke:var(--card);stroke-width:4px;stroke-linejoin:round}
.g-legend{font-size:11px;fill:var(--muted)}
ol.levels{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
ol.levels li{display:flex;flex-wrap:wrap;gap:4px;align-items:center;padding:6px 10px;border:1px solid var(--border);border-radius:8px;background:var(--bg)}
ol.levels li+li::before{content:"→";color:var(--muted);margin:0 8px 0 -4px}
.level-n{display:inline-block;min-width:20px;height:20px;line-height:20px;text-align:center;border-radius:10px;background:var(--fg);color:var(--card);font-size:11px;font-weight:600;margin-right:4px}
.zones{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}
.zone ul{margin:6px 0 0;padding-left:18px}.zone p{margin:6px 0 0}
.zone-title{font-weight:600}
.z-external{border-top:3px solid var(--ext)}.z-internal{border-top:3px solid var(--int)}.z-isolated{border-top:3px solid var(--iso)}
ul.bridges{margin:0;padding-left:18px}
footer{max-width:1240px;margin:0 auto;padding:0 24px 32px;color:var(--muted);font-size:12px}
@media (max-width:900px){.summary{grid-template-columns:repeat(3,1fr)}.summary .counts{grid-column:1/-1}.zones{grid-template-columns:1fr}}
@media print{
:root{--bg:#fff;--card:#fff}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:11px}
.top{background:#fff;color:#1f2328;border-bottom:2px solid #1f2328;padding:0 0 8px}.top .meta{color:#59636e}
main{max-width:none;padding:0}
.env{border:none;padding:0;break-before:page}
.env:first-of-type{break-before:auto}
.filters{display:none!important}
.toc{break-after:page}
.scroll,.graph-card{overflow:visible}
tr,.card,.zone,.keep{break-inside:avoid}
h3{break-after:avoid}
}
`;

export const PAGE_SCRIPT = `
document.documentElement.classList.add('js');
for (const bar of document.querySelectorAll('.filters')) {
  const table = document.getElementById(bar.dataset.table);
  if (!table) continue;
  const buttons = [...bar.querySelectorAll('button[data-severity]')];
  const all = buttons.find((b) => b.dataset.severity === 'all');
  const levels = buttons.filter((b) => b !== all);
  const shown = bar.querySelector('.shown');
  const apply = () => {
    const on = new Set(levels.filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.dataset.severity));
    let visible = 0;
    // Group headings (--group-by cis) stay; they carry no severity.
    const rows = [...table.tBodies[0].rows].filter((row) => row.dataset.severity);
    for (const row of rows) {
      row.hidden = !on.has(row.dataset.severity);
      if (!row.hidden) visible += 1;
    }
    all.setAttribute('aria-pressed', String(on.size === levels.length));
    shown.textContent = visible === rows.length ? '' : visible + ' of ' + rows.length + ' shown';
  };
  bar.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-severity]');
    if (!button) return;
    if (button === all) {
      for (const b of levels) b.setAttribute('aria-pressed', 'true');
    } else {
      const pressed = button.getAttribute('aria-pressed') === 'true';
      const alone = levels.every((b) => b === button || b.getAttribute('aria-pressed') !== 'true');
      if (all.getAttribute('aria-pressed') === 'true') {
        // From "all", a click narrows to that severity: the quickest way to see only criticals.
        for (const b of levels) b.setAttribute('aria-pressed', String(b === button));
      } else if (!(pressed && alone)) {
        button.setAttribute('aria-pressed', String(!pressed));
      }
    }
    apply();
  });
}
`;

import { useState } from 'preact/hooks';
import type { DeploymentVulnerabilities, HostVulnerabilities, ImageScanStarted } from '../../../contract/index.js';
import { api, messageOf } from '../api.js';
import { useResource } from '../resource.js';
import { Age, COUNTED_SEVERITIES as SEVERITIES, ErrorNote, SeverityCounts } from '../ui/index.js';

type VulnerabilityReport = HostVulnerabilities | DeploymentVulnerabilities;

/**
 * Known vulnerabilities of the images a host's or a deployment's containers run, as the host's
 * agent last scanned them (`GET /hosts/:id/vulnerabilities`, `GET /deployments/:id/vulnerabilities`,
 * docs/scan.md "On the fleet"), and a scan round on that host on request, for operators.
 */
export function VulnerabilitiesCard({ of, id, canScan }: { of: 'hosts' | 'deployments'; id: string; canScan: boolean }) {
  const { data: report, error, reload } = useResource<VulnerabilityReport>(`/${of}/${encodeURIComponent(id)}/vulnerabilities`);
  const [note, setNote] = useState<string | null>(null);

  const hostId = of === 'hosts' ? id : report?.host_id ?? null;
  const scanNow = async () => {
    if (hostId === null) return;
    const result = await api<ImageScanStarted>('POST', `/hosts/${encodeURIComponent(hostId)}/images/scan`);
    setNote(result.ok ? 'Scan started: the counts change when the agent reports again.' : messageOf(result));
  };

  const scanning = report?.scanning ?? null;
  return (
    <section class="card" aria-labelledby="vulnerabilities-title" id="vulnerabilities">
      <div class="card-head">
        <h2 id="vulnerabilities-title">Image vulnerabilities</h2>
        <div>
          {canScan && hostId !== null && scanning?.enabled ? (
            <button type="button" class="ghost" onClick={() => void scanNow()} disabled={scanning.running !== null}>
              Scan now
            </button>
          ) : null}{' '}
          <button type="button" class="ghost" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNote text={error} />
      {note ? <p role="status">{note}</p> : null}
      {report === null ? null : scanning === null ? (
        <p class="muted">The agent has reported nothing about image scans yet.</p>
      ) : !scanning.enabled ? (
        <p class="muted">The host's agent does not scan images: {(scanning.message ?? 'it has no advisory database (ADVISORIES_PATH)').replace(/\.$/, '')}.</p>
      ) : (
        <ScanReport report={report} />
      )}
    </section>
  );
}

function ScanReport({ report }: { report: VulnerabilityReport }) {
  const round = report.scanning?.running ?? report.scanning?.last_round ?? null;
  return (
    <>
      <p>
        <SeverityCounts counts={report.counts} />
        <span class="muted">
          {report.vulnerable_packages} vulnerable packages, {report.secrets} secrets in layers
        </span>
      </p>
      {round ? (
        <p class="muted">
          {report.scanning?.running ? 'A scan round is running, started ' : 'Last round '}
          <Age iso={round.finished_at ?? round.started_at} />
          {round.error ? `: ${round.error}` : null}
        </p>
      ) : null}
      {report.images.length > 0 ? (
        <div class="scroll" tabIndex={0}>
          <table id="image-vulnerabilities">
            <caption>Images the containers run</caption>
            <thead>
              <tr>
                <th scope="col">Image</th>
                {SEVERITIES.map((s) => (
                  <th scope="col" key={s} class="num">
                    {s}
                  </th>
                ))}
                <th scope="col" class="num">
                  Packages
                </th>
                <th scope="col">Containers</th>
                <th scope="col">Scanned</th>
              </tr>
            </thead>
            <tbody>
              {report.images.map((image) => (
                <tr key={image.image_id}>
                  <td>
                    {image.refs[0] ?? image.image_id.slice(0, 19)}
                    {image.error ? <div class="error small">{image.error}</div> : null}
                  </td>
                  {SEVERITIES.map((s) => (
                    <td key={s} class="num">
                      {image.counts[s]}
                    </td>
                  ))}
                  <td class="num">{image.packages}</td>
                  <td>{image.containers.join(', ')}</td>
                  <td>
                    <Age iso={image.scanned_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {report.unscanned.length > 0 ? (
        <p class="muted" id="unscanned-images">
          Not scanned yet: {report.unscanned.map((u) => `${u.image} (${u.containers.join(', ')})`).join('; ')}
        </p>
      ) : null}
    </>
  );
}

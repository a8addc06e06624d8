import { randomUUID } from 'node:crypto';
import type { ImageSbom } from '../sbom.js';

/**
 * CycloneDX 1.6 JSON (cyclonedx.org/docs/1.6/json): the image as the subject, a component per
 * package with its purl, and where it was found as properties. `npm test` validates it against
 * the official schema.
 */
export function renderCycloneDx(sbom: ImageSbom, toolVersion: string): string {
  const subject = `image:${sbom.image.id}`;
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: sbom.createdAt,
      tools: { components: [{ type: 'application', name: 'shipshape', version: toolVersion }] },
      component: {
        type: 'container',
        'bom-ref': subject,
        name: sbom.image.name,
        version: sbom.image.id,
        ...(sbom.os ? { description: sbom.os.name } : {}),
      },
    },
    components: sbom.packages.map((pkg) => component(pkg)),
    dependencies: [{ ref: subject, dependsOn: sbom.packages.map((p) => p.purl) }],
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}

function component(pkg: ImageSbom['packages'][number]) {
  return {
    type: 'library',
    'bom-ref': pkg.purl,
    name: pkg.name,
    version: pkg.version,
    purl: pkg.purl,
    ...(pkg.licenses.length ? { licenses: pkg.licenses.map((name) => ({ license: { name } })) } : {}),
    properties: [
      { name: 'shipshape:ecosystem', value: pkg.ecosystem },
      ...(pkg.source && pkg.source.name !== pkg.name ? [{ name: 'shipshape:source', value: `${pkg.source.name} ${pkg.source.version}` }] : []),
      ...pkg.locations.map((l) => ({ name: 'shipshape:location', value: `${l.path} (layer ${l.layer})` })),
    ],
  };
}

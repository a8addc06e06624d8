import { randomUUID } from 'node:crypto';
import type { ImageSbom } from '../sbom.js';

/** SPDX 2.3 JSON (spdx.github.io/spdx-spec/v2.3): the image as a package that contains the others. */
export function renderSpdx(sbom: ImageSbom, toolVersion: string): string {
  const image = 'SPDXRef-Image';
  const id = (i: number) => `SPDXRef-Package-${i + 1}`;
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: sbom.image.name,
    documentNamespace: `https://spdx.org/spdxdocs/shipshape/${encodeURIComponent(sbom.image.name)}-${randomUUID()}`,
    creationInfo: { created: sbom.createdAt, creators: [`Tool: shipshape-${toolVersion}`] },
    packages: [
      { SPDXID: image, name: sbom.image.name, versionInfo: sbom.image.id, downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'CONTAINER' },
      ...sbom.packages.map((pkg, i) => ({
        SPDXID: id(i),
        name: pkg.name,
        versionInfo: pkg.version,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseDeclared: 'NOASSERTION',
        ...(pkg.source && pkg.source.name !== pkg.name ? { sourceInfo: `built from ${pkg.source.name} ${pkg.source.version}` } : {}),
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl }],
      })),
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image },
      ...sbom.packages.map((_, i) => ({ spdxElementId: image, relationshipType: 'CONTAINS', relatedSpdxElement: id(i) })),
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

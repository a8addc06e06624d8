export { imageSbom, ImageNotFoundError, type ImageSbom } from './sbom.js';
export { inventoryImage, type ImageInventory, type LayerSecret } from './inventory.js';
export { readImageArchive, ImageArchiveError, type ImageArchive, type LayerFile } from './archive.js';
export type { Package, OperatingSystem } from './catalog/model.js';
export { renderCycloneDx } from './formats/cyclonedx.js';
export { renderSpdx } from './formats/spdx.js';
export { renderSbomTable } from './formats/table.js';
export * from './osv/index.js';
export { compareApk, compareDpkg, compareRpm, versionOrder, type VersionOrder } from './versions/index.js';

import { DockerNotFoundError, type DockerClient } from '../docker/index.js';
import type { OperatingSystem, Package } from './catalog/model.js';
import { inventoryImage, type LayerSecret } from './inventory.js';

/** An image's software bill of materials, and the secrets its layers hold (docs/scan.md). */
export interface ImageSbom {
  image: { name: string; id: string };
  createdAt: string;
  os: OperatingSystem | undefined;
  packages: Package[];
  secrets: LayerSecret[];
  layers: string[];
  skipped: { layer: string; path: string; reason: string }[];
}

export class ImageNotFoundError extends Error {}

/**
 * Reads an image of the local engine: never a pull (an image that is not there is an error that
 * says how to get it there), and a stream, whatever the image's size.
 */
export async function imageSbom(docker: DockerClient, ref: string, signal?: AbortSignal): Promise<ImageSbom> {
  let id: string;
  try {
    id = (await docker.images.inspect(ref, { signal })).Id;
  } catch (err) {
    if (err instanceof DockerNotFoundError) {
      throw new ImageNotFoundError(`image ${ref} is not on this Docker engine; build it or \`docker load\` it first (Shipshape never pulls)`);
    }
    throw err;
  }
  const archive = await docker.images.export(id, { signal, timeoutMs: 0 });
  try {
    const inventory = await inventoryImage(archive);
    return {
      image: { name: ref, id },
      createdAt: new Date().toISOString(),
      os: inventory.os,
      packages: inventory.packages,
      secrets: inventory.secrets,
      layers: inventory.layers,
      skipped: inventory.skipped,
    };
  } finally {
    archive.destroy();
  }
}

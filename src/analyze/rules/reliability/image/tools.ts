import { imageOf, type Tool, type Tools } from '../../../facts/index.js';
import type { RuleContext } from '../../../types.js';

export type { Tool };

/** What an image is known to hold; a tool left out is unknown (never reported). */
export interface ImageTools {
  /** How to name the image in a message: `gcr.io/distroless/static`, `the image built from app/Dockerfile (FROM alpine:3.20)`. */
  name: string;
  /** Built from a local Dockerfile rather than pulled. */
  built: boolean;
  has: Tools;
}

/** What the service's image holds, from the facts layer; undefined when nothing about it is known. */
export function imageTools(ctx: RuleContext, service: string): ImageTools | undefined {
  const image = imageOf(ctx, service);
  if (!image || Object.keys(image.tools).length === 0) return undefined;
  return { name: image.name, built: image.built !== undefined, has: image.tools };
}

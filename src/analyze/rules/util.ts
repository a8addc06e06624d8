import type { Diagnostic, DiagnosticCode, Service } from '../../compose/index.js';
import type { RawFinding, RuleContext } from '../types.js';

/** The enabled services of the analyzed model, in file order. */
export function services(ctx: RuleContext): [string, Service][] {
  return Object.entries(ctx.project.services);
}

/** Loader diagnostics of the given codes, as findings located where the loader found them. */
export function fromDiagnostics(ctx: RuleContext, codes: readonly DiagnosticCode[], severity?: Diagnostic['severity']): RawFinding[] {
  return ctx.diagnostics
    .filter((d) => codes.includes(d.code) && (severity === undefined || d.severity === severity))
    .map((d) => ({ at: d, message: d.message, service: serviceOfMessage(d.message) }));
}

function serviceOfMessage(message: string): string | null {
  return /service "([^"]+)"/.exec(message)?.[1] ?? /^services\.([^.\s]+)/.exec(message)?.[1] ?? null;
}

export interface ImageRef {
  /** Registry and repository, e.g. `docker.io/library/nginx` is kept as written: `nginx`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits an image reference; a `:` after the last `/` is a tag, not a registry port. */
export function parseImage(image: string): ImageRef {
  const [nameAndTag, digest] = image.split('@', 2) as [string, string | undefined];
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { repository: nameAndTag, digest };
}

/** The last path part of an image repository (`bitnami/postgresql` → `postgresql`). */
export function imageName(image: string): string {
  const repo = parseImage(image).repository;
  return repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
}

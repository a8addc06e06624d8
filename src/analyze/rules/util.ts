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

export { parseImage, type ImageRef } from '../facts/index.js';
import { parseImage } from '../facts/index.js';

/** The last path part of an image repository (`bitnami/postgresql` → `postgresql`). */
export function imageName(image: string): string {
  const repo = parseImage(image).repository;
  return repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
}

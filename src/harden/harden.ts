import { writeFileSync } from 'node:fs';
import type { DockerClient } from '../docker/index.js';
import type { ProgressListener } from '../engine/index.js';
import { assessOverlay, type Assessment } from './assess.js';
import { overlayHeader } from './header.js';
import { renderOverlay } from './overlay-writer.js';
import { planHardening } from './plan.js';
import { imageRef, prepareHardening } from './prepare.js';
import type { HardenTarget } from './target.js';
import type { HardenPlan } from './types.js';
import { verifyPlan, type VerifyResult } from './verify/verify.js';

export interface HardenRun {
  target: HardenTarget;
  /** Where the overlay is written. */
  output: string;
  /** Variables for interpolation; never printed. */
  env: Readonly<Record<string, string | undefined>>;
  /** The engine: local images are inspected with it, and `verify` runs on it. */
  docker?: DockerClient;
  verify?: boolean;
  settleMs?: number;
  onStep?: (line: string) => void;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface HardenOutcome {
  plan: HardenPlan;
  /** The overlay's text, as written to `output`. */
  overlay: string;
  assessment: Assessment;
  verification?: VerifyResult;
}

/** Plans the hardening, proves it when asked, writes the overlay and compares the findings with and without it. */
export async function hardenProject(run: HardenRun): Promise<HardenOutcome> {
  const { input, loaded } = await prepareHardening({ target: run.target, env: run.env, docker: run.docker, signal: run.signal });
  const plan = planHardening(input);
  let verification: VerifyResult | undefined;
  if (run.verify && run.docker) {
    const images = new Map(Object.keys(loaded.project.services).map((s) => [s, imageRef(loaded, s)]));
    verification = await verifyPlan(plan, {
      docker: run.docker,
      target: run.target,
      input,
      images,
      env: run.env,
      ...(run.settleMs ? { settleMs: run.settleMs } : {}),
      onStep: run.onStep,
      onProgress: run.onProgress,
      signal: run.signal,
    });
  }
  const overlay = renderOverlay(plan, overlayHeader(plan, run.target, run.output, verification?.healthy === true));
  writeFileSync(run.output, overlay);
  const assessment = assessOverlay(run.target, run.env, loaded.report, run.output, plan);
  return { plan, overlay, assessment, ...(verification ? { verification } : {}) };
}

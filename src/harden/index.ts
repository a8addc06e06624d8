/**
 * `shipshape harden`: an overlay that hardens a compose environment without touching its files,
 * each change naming the finding it fixes, and `--verify`, which proves it on the local engine
 * (docs/harden.md).
 */
export { planHardening } from './plan.js';
export { renderOverlay } from './overlay-writer.js';
export { overlayHeader } from './header.js';
export { prepareHardening, imageRef, type PrepareOptions } from './prepare.js';
export { assessOverlay, ADDRESSED, type Assessment, type RemainingFinding } from './assess.js';
export { resolveTarget, defaultOverlayPath, loadTarget, type HardenTarget, type TargetOptions } from './target.js';
export { HardenError } from './errors.js';
export { HARDEN_LABEL } from './engine-image.js';
export type { HardenInput, HardenPlan, HardeningKind, ImageInfo, ServicePlan } from './types.js';
export { verifyPlan, type VerifyOptions, type VerifyResult } from './verify/verify.js';
export { hardenProject, type HardenOutcome, type HardenRun } from './harden.js';
export { tmpfsTargets } from './verify/written-paths.js';
export { limitsFromPeaks, type Peaks } from './verify/sizing.js';
export { backOff, backOffFinal, type Outcome } from './verify/backoff.js';
export { fileVariables, unprivileged } from './engine-image.js';

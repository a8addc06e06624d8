/**
 * The manager's harden routes (docs/harden.md, docs/manager.md): the preview of the hardened
 * overlay for a deployment's compose files, with the findings it fixes and the scores before and
 * after, and the deploy with the overlay added to the package.
 */
import { Type, type Static } from 'typebox';
import { DeploymentFinding } from './manager.js';

const Scores = Type.Object({
  overall: Type.Number(),
  security: Type.Number(),
  production_readiness: Type.Number(),
});

const ExplainedFinding = Type.Object({
  finding: DeploymentFinding,
  reason: Type.String({ description: 'Why harden left it, or what the user does next' }),
});

export const HardenPreview = Type.Object({
  file_name: Type.String({ description: 'Where the overlay goes in the package: the compose override file the agent reads after the compose file' }),
  overlay: Type.String({ description: 'The overlay as YAML, each change under a comment naming the finding it fixes' }),
  scores: Type.Object({ before: Scores, after: Scores }),
  findings: Type.Object({
    before: Type.Integer({ minimum: 0 }),
    after: Type.Integer({ minimum: 0 }),
    fixed: Type.Array(DeploymentFinding),
    remaining: Type.Array(ExplainedFinding, { description: 'Findings of the rules harden addresses that are still there' }),
    pending: Type.Array(ExplainedFinding, { description: 'Findings the overlay brings until a secret file or variable is provided' }),
    added: Type.Array(DeploymentFinding),
  }),
  not_applied: Type.Array(Type.Object({ service: Type.String(), hardening: Type.String(), reason: Type.String() })),
  secret_files: Type.Array(Type.String(), { description: 'Secret files the overlay names that `shipshape secrets generate` creates' }),
  required_variables: Type.Array(Type.String()),
  verified: Type.Boolean({ description: 'Always false on the manager: it has no engine to run the stack on (use `shipshape harden --verify`)' }),
});
export type HardenPreview = Static<typeof HardenPreview>;

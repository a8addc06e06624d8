/**
 * Dockerfiles as the analyzer reads them: `parseDockerfile` turns the text into stages and
 * instructions with 1-based lines and columns; the helpers answer what rules ask about a stage's
 * image (its user, base image, health check, installed packages, the scripts its RUNs execute).
 */
export {
  parseDockerfile,
  type DockerfileIssue,
  type Flag,
  type GlobalArg,
  type Heredoc,
  type Instruction,
  type ParsedDockerfile,
  type Stage,
} from './parse.js';
export {
  baseImage,
  buildStages,
  copyOperands,
  effectiveUser,
  finalStage,
  hasHealthcheck,
  installedPackages,
  installsPackage,
  isRootUser,
  keyValues,
  lastInstruction,
  runCommands,
  runScript,
  stageChain,
  verbIndex,
  type BaseImage,
} from './query.js';
export { basename, isShell, pipelines, programWords, splitWords, type Command, type Word } from './shell.js';

import dockerfileAdd from './dockerfile-add.js';
import dockerfileAptHygiene from './dockerfile-apt-hygiene.js';
import dockerfileBroadCopy from './dockerfile-broad-copy.js';
import dockerfileCurlPipeShell from './dockerfile-curl-pipe-shell.js';
import dockerfileLatestBase from './dockerfile-latest-base.js';
import dockerfileMissingHealthcheck from './dockerfile-missing-healthcheck.js';
import dockerfileRootUser from './dockerfile-root-user.js';
import dockerfileSecretInEnv from './dockerfile-secret-in-env.js';
import dockerfileShellForm from './dockerfile-shell-form.js';

export const DOCKERFILE_RULES = [
  dockerfileRootUser,
  dockerfileLatestBase,
  dockerfileAdd,
  dockerfileBroadCopy,
  dockerfileAptHygiene,
  dockerfileSecretInEnv,
  dockerfileCurlPipeShell,
  dockerfileShellForm,
  dockerfileMissingHealthcheck,
] as const;

export { dockerfilesOf, type DockerfileUse } from './shared.js';

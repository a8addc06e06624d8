import privileged from './privileged.js';
import dockerSocketMount from './docker-socket-mount.js';
import hostNamespace from './host-namespace.js';
import dangerousCapability from './dangerous-capability.js';
import noCapDrop from './no-cap-drop.js';
import noNewPrivilegesMissing from './no-new-privileges-missing.js';
import unconfinedProfile from './unconfined-profile.js';
import rootUser from './root-user.js';
import writableRootfs from './writable-rootfs.js';
import exposedDatabasePort from './exposed-database-port.js';
import unboundPortInterface from './unbound-port-interface.js';
import privilegedPort from './privileged-port.js';
import sensitiveHostMount from './sensitive-host-mount.js';
import hostDevice from './host-device.js';
import latestTag from './latest-tag.js';
import hardcodedSecret from './hardcoded-secret.js';
import defaultCredential from './default-credential.js';
import devOverrideWeakensSecurity from './dev-override-weakens-security.js';
import internalNetworkExposed from './internal-network-exposed.js';
import hostPathEscape from './host-path-escape.js';
import foreignNamespace from './foreign-namespace.js';
import foreignResource from './foreign-resource.js';
import debugPortExposed from './debug-port-exposed.js';
import authDisabled from './auth-disabled.js';
import imageVulnerability from './image-vulnerability.js';

/** The security rules, in the order of the contract (docs/rules/). */
export const SECURITY_RULES = [
  privileged,
  dockerSocketMount,
  hostNamespace,
  dangerousCapability,
  noCapDrop,
  noNewPrivilegesMissing,
  unconfinedProfile,
  rootUser,
  writableRootfs,
  hardcodedSecret,
  defaultCredential,
  exposedDatabasePort,
  unboundPortInterface,
  privilegedPort,
  sensitiveHostMount,
  hostDevice,
  latestTag,
  devOverrideWeakensSecurity,
  internalNetworkExposed,
  hostPathEscape,
  foreignNamespace,
  foreignResource,
  authDisabled,
  debugPortExposed,
  imageVulnerability,
] as const;

export { CertificateAuthority, type CertificateUse, type IssueRequest } from './ca.js';
export {
  agentCommonName,
  certificateSha256,
  commonNameOf,
  generateKeyPair,
  hostIdOfCommonName,
  isManagerClientCertificate,
  isManagerServerCertificate,
  MANAGER_CLIENT_CN,
  MANAGER_SERVER_CN,
  normalizePin,
  type PeerCertificateFacts,
} from './names.js';

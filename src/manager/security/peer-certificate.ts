import { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { certificateSha256, commonNameOf, hostIdOfCommonName } from '../../pki/index.js';

/**
 * The agent certificate a request came with, when TLS verified it against the manager CA:
 * which host it names and its fingerprint (compared with the one the host enrolled with).
 * Undefined over plain HTTP, without a certificate, or with one the CA did not issue.
 */
export function agentCertificateOf(request: FastifyRequest): { hostId: string; sha256: string } | undefined {
  const socket = request.raw.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const peer = socket.getPeerCertificate();
  const hostId = hostIdOfCommonName(commonNameOf(peer));
  if (!hostId || !peer.raw) return undefined;
  return { hostId, sha256: certificateSha256(peer.raw) };
}

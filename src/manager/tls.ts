import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CertificateAuthority, generateKeyPair, MANAGER_CLIENT_CN, MANAGER_SERVER_CN } from '../pki/index.js';
import type { ManagerConfig } from './config.js';
import type { Repository } from './storage/index.js';

export interface Credentials {
  cert: string;
  key: string;
}

const CA_SETTING = 'tls_ca';
const LEAF_DAYS = 397;

/**
 * The manager's certificates (docs/security.md, "Keys and transport"): its CA, kept with its data
 * (one per database, so that replicas share it) unless the operator gives one, and two leaf
 * certificates made fresh by each manager process and held in memory only: one it serves HTTPS
 * with, one it calls agents with. Each is made on first use (a key pair costs a moment), once.
 */
export class ManagerTls {
  private ca: Promise<CertificateAuthority> | undefined;
  private server: Promise<Credentials> | undefined;
  private client: Promise<Credentials> | undefined;
  /** The names and addresses the server certificate is valid for. */
  readonly serverNames: string[];

  constructor(
    private readonly repo: Repository,
    private readonly config: ManagerConfig,
  ) {
    this.serverNames = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...wildcardFree(config.listenHost), ...config.tlsNames])];
  }

  authority(): Promise<CertificateAuthority> {
    this.ca ??= loadAuthority(this.repo, this.config);
    return this.ca;
  }

  serverCredentials(): Promise<Credentials> {
    this.server ??= this.issue(MANAGER_SERVER_CN, 'server', this.serverNames);
    return this.server;
  }

  clientCredentials(): Promise<Credentials> {
    this.client ??= this.issue(MANAGER_CLIENT_CN, 'client', []);
    return this.client;
  }

  private async issue(commonName: string, use: 'server' | 'client', names: string[]): Promise<Credentials> {
    const ca = await this.authority();
    const keys = generateKeyPair();
    return { cert: ca.issue({ commonName, publicKeyPem: keys.publicKeyPem, names, use, days: LEAF_DAYS }), key: keys.privateKeyPem };
  }
}

async function loadAuthority(repo: Repository, config: ManagerConfig): Promise<CertificateAuthority> {
  if (config.tlsCaCert && config.tlsCaKey) {
    return CertificateAuthority.load(readFileSync(config.tlsCaCert, 'utf8'), readFileSync(config.tlsCaKey, 'utf8'));
  }
  const stored = await repo.getSetting(CA_SETTING);
  if (stored) return fromStored(stored);
  const created = await CertificateAuthority.create(`Shipshape manager CA ${new Date().toISOString().slice(0, 10)}`, generateKeyPair());
  // Two replicas starting together on a new database: the first to store wins, both use it.
  return fromStored(await repo.putSettingIfAbsent(CA_SETTING, JSON.stringify(created.toStored())));
}

function fromStored(text: string): Promise<CertificateAuthority> {
  const { certificate, key } = JSON.parse(text) as { certificate: string; key: string };
  return CertificateAuthority.load(certificate, key);
}

function wildcardFree(host: string): string[] {
  return ['0.0.0.0', '::', ''].includes(host) ? [] : [host];
}

// Throwaway PKI for one test control plane, made with the openssl CLI (present on every
// Linux CI image; node:crypto cannot issue X.509 certificates). EC P-256 keys: fast to
// generate and accepted by every component, including for service-account token signing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  /** Client certificates by name: admin (system:masters), controller-manager, scheduler. */
  clients: Record<ClientName, { cert: string; key: string }>;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export type ClientName = 'admin' | 'controller-manager' | 'scheduler';

const CLIENT_SUBJECTS: Record<ClientName, string> = {
  admin: '/O=system:masters/CN=ponyexpress-admin',
  'controller-manager': '/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
};

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ecKey(dir: string, name: string): string {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  return join(dir, `${name}.key`);
}

/** Issues `<name>.crt` signed by the CA, with the given subject and X.509v3 extensions. */
function issue(dir: string, name: string, subject: string, extensions: string): string {
  ecKey(dir, name);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '7',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
  return join(dir, `${name}.crt`);
}

/**
 * Creates a CA, the kube-apiserver serving certificate (valid for 127.0.0.1, localhost and
 * the in-cluster service names), client certificates and the service-account key pair.
 */
export function createPki(dir: string, serviceIp = '10.0.0.1'): Pki {
  mkdirSync(dir, { recursive: true });
  ecKey(dir, 'ca');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=ponyexpress-test-ca',
      '-days',
      '7',
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  const san = [
    'IP:127.0.0.1',
    `IP:${serviceIp}`,
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  const servingCert = issue(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    `keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  const clients = {} as Pki['clients'];
  for (const [name, subject] of Object.entries(CLIENT_SUBJECTS) as [ClientName, string][]) {
    const cert = issue(
      dir,
      name,
      subject,
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
    );
    clients[name] = { cert, key: join(dir, `${name}.key`) };
  }
  const serviceAccountKey = ecKey(dir, 'service-account');
  openssl(['pkey', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub'], dir);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert,
    servingKey: join(dir, 'apiserver.key'),
    clients,
    serviceAccountKey,
    serviceAccountPub: join(dir, 'service-account.pub'),
  };
}

// Command lines of the control-plane components. Everything listens on 127.0.0.1 only.
import { join } from 'node:path';
import type { Pki } from './pki.js';

/** Cluster-wide constants shared by the components and the harness. */
export const SERVICE_CIDR = '10.0.0.0/24';
export const KUBERNETES_SERVICE_IP = '10.0.0.1';
export const NODE_NAME = 'kwok-node-0';
/** The label kwok manages nodes by (registerNode sets it). */
export const KWOK_NODE_LABEL = 'type=kwok';

export interface ComponentPaths {
  workDir: string;
  pki: Pki;
  kubeconfigs: { controllerManager: string; scheduler: string; admin: string };
  kwokStages: string;
}

export type Ports = Record<'etcd' | 'etcdPeer' | 'apiserver' | 'controllerManager' | 'scheduler' | 'kwok', number>;

export function etcdArgs(workDir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcd}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=default',
    `--data-dir=${join(workDir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // A throwaway store: durability buys nothing here and fsync dominates start-up on CI disks.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverArgs(paths: ComponentPaths, ports: Ports): string[] {
  const { pki } = paths;
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
    '--bind-address=127.0.0.1',
    // Without it the apiserver derives the address from the default route and exits on
    // hosts that have none (sandboxed CI runners).
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${join(paths.workDir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--authorization-mode=Node,RBAC',
    // Allowed at the cluster level so that Pod Security Admission, not this flag, is what
    // rejects privileged pods in restricted namespaces (the tests prove PSA is enforcing).
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
  ];
}

export function controllerManagerArgs(paths: ComponentPaths, ports: Ports): string[] {
  return [
    `--kubeconfig=${paths.kubeconfigs.controllerManager}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${join(paths.workDir, 'controller-manager-certs')}`,
    // Token and root-CA controllers: ServiceAccount tokens and kube-root-ca.crt in every namespace.
    `--service-account-private-key-file=${paths.pki.serviceAccountKey}`,
    `--root-ca-file=${paths.pki.caCert}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--leader-elect=false',
    // HPAs apply their minReplicas within seconds instead of the default 15 s.
    '--horizontal-pod-autoscaler-sync-period=2s',
    // Fleet tests and bench/operator.ts roll out thousands of Deployments at once: client-go's
    // 20 QPS per controller and 5 workers made the set-up of 500 pipelines take ~20 minutes.
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    '--concurrent-deployment-syncs=10',
    '--concurrent-replicaset-syncs=10',
    '--concurrent-job-syncs=10',
    '--profiling=false',
    '--v=1',
  ];
}

export function schedulerArgs(paths: ComponentPaths, ports: Ports): string[] {
  return [
    `--kubeconfig=${paths.kubeconfigs.scheduler}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${join(paths.workDir, 'scheduler-certs')}`,
    '--leader-elect=false',
    // Binding thousands of fleet pods (see controllerManagerArgs) at the default 50 QPS takes minutes.
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    '--profiling=false',
    '--v=1',
  ];
}

export function kwokArgs(paths: ComponentPaths, ports: Ports): string[] {
  return [
    `--kubeconfig=${paths.kubeconfigs.admin}`,
    `--config=${paths.kwokStages}`,
    // The node by its label, not --manage-single-node: that watches pods with
    // spec.nodeName=<node>, which the apiserver serves from its node index with a 10-event buffer
    // (a kubelet's pods are few) and closes as unresponsive whenever a burst of pods on the node
    // outruns kwok (hundreds of times while a 500-pipeline fleet rolls out on this one node).
    // Managed by label, kwok watches spec.nodeName!= and gets a buffer of up to 1,000 events.
    `--manage-nodes-with-label-selector=${KWOK_NODE_LABEL}`,
    `--server-address=127.0.0.1:${ports.kwok}`,
    '--cidr=10.244.0.0/16',
    '--node-ip=10.240.0.10',
    // kwok renews the node's Lease, which keeps the node-lifecycle controller from
    // marking the node NotReady and evicting pods.
    '--node-lease-duration-seconds=40',
  ];
}

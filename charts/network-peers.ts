// NetworkPolicy building blocks shared by the app's policies and the operator's.
import { k8s } from 'cdk8s-plus-27';
import type { NetworkPeer } from './config/common-schema.js';

export const tcp = (port: number): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: k8s.IntOrString.fromNumber(port),
});

/** Pods of one namespace, selected by the namespace's immutable name label. */
export function podsInNamespace(namespace: string, podLabels: Record<string, string>): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    podSelector: { matchLabels: podLabels },
  };
}

/** Config peers (`{cidr}` or `{podSelector, namespaceSelector}`) as NetworkPolicy peers. */
export function peerFromConfig(p: NetworkPeer): k8s.NetworkPolicyPeer {
  if ('cidr' in p) return { ipBlock: { cidr: p.cidr } };
  return {
    podSelector: { matchLabels: p.podSelector },
    ...(p.namespaceSelector ? { namespaceSelector: { matchLabels: p.namespaceSelector } } : {}),
  };
}

/** Egress to the cluster DNS (kube-dns in kube-system) on UDP and TCP 53; the app and the operator both need it. */
export function dnsEgressRule(): k8s.NetworkPolicyEgressRule {
  return {
    to: [podsInNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
    ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, tcp(53)],
  };
}

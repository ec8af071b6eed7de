import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { appMetadataFor, appPodsSelector, metadataFor, selectorFor, type AppIdentity } from './labels.js';
import { dnsEgressRule, tcp } from './network-peers.js';
import { WEB_PORT } from './web.js';

export interface NetworkPoliciesProps {
  readonly identity: AppIdentity;
  readonly database: { port: number; to: k8s.NetworkPolicyPeer[] };
  readonly broker: { port: number; to: k8s.NetworkPolicyPeer[] };
  /** Who may reach web: the ingress controller, the operator's smoke check. None: no policy admits anyone. */
  readonly webIngressFrom: k8s.NetworkPolicyPeer[];
}

/** Deny everything in the namespace, then allow ingress to web from its peers and egress to DNS, the database and the broker. */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const idn = props.identity;
    const app = idn.app;
    const allPods = { matchLabels: appPodsSelector(idn) };
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: appMetadataFor(idn, `${app}-default-deny`),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    if (props.webIngressFrom.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'web-ingress', {
        metadata: metadataFor(idn, `${app}-web-ingress`, 'web'),
        spec: {
          podSelector: { matchLabels: selectorFor(idn, 'web') },
          policyTypes: ['Ingress'],
          ingress: [{ from: props.webIngressFrom, ports: [tcp(WEB_PORT)] }],
        },
      });
    }
    new k8s.KubeNetworkPolicy(this, 'dns', {
      metadata: appMetadataFor(idn, `${app}-egress-dns`),
      spec: {
        podSelector: allPods,
        policyTypes: ['Egress'],
        egress: [dnsEgressRule()],
      },
    });
    for (const [target, rule] of [
      ['database', props.database],
      ['broker', props.broker],
    ] as const) {
      new k8s.KubeNetworkPolicy(this, target, {
        metadata: appMetadataFor(idn, `${app}-egress-${target}`),
        spec: {
          podSelector: allPods,
          policyTypes: ['Egress'],
          egress: [{ ...(rule.to.length ? { to: rule.to } : {}), ports: [tcp(rule.port)] }],
        },
      });
    }
  }
}

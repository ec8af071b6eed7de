// Deny by default; the operator only talks to the API server, DNS and (optionally) staging smoke URLs,
// and only the configured scrape source may connect, to the metrics port.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { dnsEgressRule, peerFromConfig, tcp } from '../network-peers.js';
import {
  METRICS_PORT,
  OPERATOR_NAME,
  operatorLabels,
  operatorSelector,
  smokeNamespace,
  WEBHOOK_PORT,
  type OperatorChartProps,
} from './props.js';

type EgressRule = k8s.NetworkPolicyEgressRule;

export class OperatorNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: OperatorChartProps) {
    super(scope, id);
    const { settings } = props;
    const scrapeFrom = settings.metrics.scrapeFrom.map(peerFromConfig);
    const webhookFrom = settings.webhook.from.map(peerFromConfig);
    const ingress = [
      ...(scrapeFrom.length ? [{ from: scrapeFrom, ports: [tcp(METRICS_PORT)] }] : []),
      // No `from` = any source: the webhook checks its shared secret on every request.
      ...(settings.webhook.enabled
        ? [{ ...(webhookFrom.length ? { from: webhookFrom } : {}), ports: [tcp(WEBHOOK_PORT)] }]
        : []),
    ];
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: { name: OPERATOR_NAME, namespace: settings.namespace, labels: operatorLabels() },
      spec: {
        podSelector: { matchLabels: operatorSelector() },
        policyTypes: ['Ingress', 'Egress'],
        // Kubelet probes come from the node, which NetworkPolicy does not restrict; no rule means no one else.
        ...(ingress.length ? { ingress } : {}),
        egress: [apiServerEgress(settings.apiServer), dnsEgressRule(), ...smokeEgress(props.pipelines)],
      },
    });
  }
}

function apiServerEgress(apiServer: OperatorChartProps['settings']['apiServer']): EgressRule {
  const to = apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return { ...(to.length ? { to } : {}), ports: apiServer.ports.map(tcp) };
}

/** An in-cluster smoke URL (`*.svc[.cluster.local]`) opens its port to that namespace only; any other URL opens its port. */
export function smokeEgress(pipelines: OperatorChartProps['pipelines']): EgressRule[] {
  const rules: EgressRule[] = [];
  for (const pipeline of pipelines) {
    if (!pipeline.smokeUrl) continue;
    const url = new URL(pipeline.smokeUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const namespace = smokeNamespace(pipeline.smokeUrl);
    rules.push(
      namespace
        ? {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
            // Policies see the pod port after the Service's translation: the web pods' named port `http`.
            ports: [tcp(port), { protocol: 'TCP', port: k8s.IntOrString.fromString('http') }],
          }
        : { ports: [tcp(port)] },
    );
  }
  return rules;
}

// Settings of the operator's own chart (dist/operator/), from the optional environments/operator.yaml.
// Every field has a default, so the file is needed only to change one.
import { z } from 'zod';
import { OPERATOR_HEAP_MIB, OPERATOR_MEMORY_LIMIT_FLOOR_MIB } from '../../contract/index.js';
import {
  cidr,
  cpuQuantity,
  dnsLabel,
  dnsSubdomain,
  imageDigest,
  imageRepository,
  imageTag,
  integer,
  memoryBytes,
  memoryQuantity,
  networkPeer,
} from './common-schema.js';

const FLOOR = `${OPERATOR_MEMORY_LIMIT_FLOOR_MIB}Mi`;

/**
 * The operator container's requests and limits; each field alone may be set. On a busy node the kernel
 * shares the CPU by request: while 500 pipelines promoted at once the event loop used about 0.12 CPU.
 */
const operatorResources = z
  .strictObject({
    requests: z
      .strictObject({
        /** @default 50m */
        cpu: cpuQuantity.default('50m'),
        /** @default 96Mi */
        memory: memoryQuantity.default('96Mi'),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** @default none (a CPU limit throttles the event loop in 100 ms periods) */
        cpu: cpuQuantity.optional(),
        /** No less than the heap's cap and what lives beside it. @default 256Mi */
        memory: memoryQuantity.default(FLOOR),
      })
      .prefault({}),
  })
  .superRefine((r, ctx) => {
    const limit = memoryBytes(r.limits.memory);
    const refuse = (expected: string) =>
      ctx.addIssue({ code: 'custom', path: ['limits', 'memory'], message: expected, input: r.limits.memory });
    if (limit < memoryBytes(FLOOR))
      refuse(
        `at least ${FLOOR}: the operator's heap may grow to ${OPERATOR_HEAP_MIB} MiB (--max-old-space-size) and more lives beside it`,
      );
    else if (limit < memoryBytes(r.requests.memory)) refuse(`at least requests.memory (${r.requests.memory})`);
  });

export const operatorSettingsSchema = z.strictObject({
  /** The operator's own namespace (Lease, Events, its pods). @default ponyexpress-system */
  namespace: dnsLabel.default('ponyexpress-system'),
  image: z
    .strictObject({
      /** @default ghcr.io/ponyexpress/operator */
      repository: imageRepository.default('ghcr.io/ponyexpress/operator'),
      /** Never `latest`. @default the package version, 0.1.0 */
      tag: imageTag.default('0.1.0'),
      /** `sha256:…`; when set, the pod runs `repository@digest`. @default none */
      digest: imageDigest.optional(),
    })
    .prefault({}),
  /**
   * How the operator watches workloads, pods and Jobs. `namespaces`: one watch per kind per namespace,
   * with Roles only (least privilege). `cluster`: one watch per kind for all namespaces, which needs a
   * read-only ClusterRole (get/list/watch on Deployments, StatefulSets, Pods, Jobs, Promotions and
   * Namespaces; writes stay namespaced) and caches every such object in the cluster, trimmed: for
   * fleets of hundreds of apps (docs/operator-runtime.md). @default namespaces
   */
  watchScope: z.enum(['namespaces', 'cluster']).default('namespaces'),
  /** Leader election makes extra replicas hot standbys. @default 2 */
  replicas: integer(1, 10).default(2),
  /** The operator container's requests and limits. @default requests 50m CPU and 96Mi, limit 256Mi, no CPU limit */
  resources: operatorResources.prefault({}),
  /**
   * Where the Kubernetes API server is reachable, for the egress NetworkPolicy. A NetworkPolicy cannot
   * name the API server, so narrow this to your control plane's addresses.
   * @default any destination on TCP 443 and 6443
   */
  apiServer: z
    .strictObject({
      cidrs: z.array(cidr).default([]),
      ports: z.array(integer(1, 65_535)).min(1).default([443, 6443]),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Who may scrape the metrics port (Prometheus). Nothing else may connect; kubelet probes always can. @default no one */
      scrapeFrom: z.array(networkPeer).default([]),
    })
    .prefault({}),
  /**
   * The follow webhook (docs/registry-follow.md): registry notifications and CI's "tag pushed" make a
   * following staging environment look at its registry at once. Off by default; polling alone is correct.
   */
  webhook: z
    .strictObject({
      /** @default false */
      enabled: z.boolean().default(false),
      /** Secret (in the operator's namespace) whose key `secret` is the shared secret (Bearer / HMAC). Required when enabled. */
      secretName: dnsSubdomain.optional(),
      /** Who may connect (the registry's pods, CI runners). @default anyone: the shared secret guards it */
      from: z.array(networkPeer).default([]),
      /**
       * HTTPS served by the operator itself: a kubernetes.io/tls Secret (keys tls.crt, tls.key) in the operator's
       * namespace, e.g. from cert-manager. @default plain HTTP (terminate TLS at your Ingress)
       */
      tls: z.strictObject({ secretName: dnsSubdomain }).optional(),
    })
    .refine((w) => !w.enabled || w.secretName !== undefined, {
      message: 'webhook.secretName is required when webhook.enabled is true (a Secret with key "secret")',
      path: ['secretName'],
    })
    .refine((w) => w.enabled || w.tls === undefined, {
      message:
        'webhook.tls.secretName serves the webhook over HTTPS; set webhook.enabled: true (and webhook.secretName) too',
      path: ['tls'],
    })
    .prefault({}),
});

export type OperatorSettings = z.infer<typeof operatorSettingsSchema>;

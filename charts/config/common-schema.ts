import { z } from 'zod';

/** RFC 1123 DNS label, the rule Kubernetes applies to namespace and most object names. */
const DNS_LABEL = 'a DNS label (lowercase letters, digits and "-", at most 63 characters)';
export const dnsLabel = z.string(DNS_LABEL).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, DNS_LABEL);

/** RFC 1123 subdomain, the rule for Secret names and host names. */
export const dnsSubdomain = z
  .string('a DNS subdomain (lowercase letters, digits, "-" and ".")')
  .max(253, 'a DNS subdomain of at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'a DNS subdomain (lowercase letters, digits, "-" and ".")',
  );

const SECRET_KEY = 'a Secret key (letters, digits, "-", "_" and ".")';
export const secretKey = z.string(SECRET_KEY).regex(/^[-._a-zA-Z0-9]+$/, SECRET_KEY);

/** A reference to one key of a Secret the platform team manages; ponyexpress never writes Secrets. */
export const secretKeyRef = z.strictObject({ name: dnsSubdomain, key: secretKey });

const CPU = 'a CPU quantity such as "250m" or "1"';
export const cpuQuantity = z.string(CPU).regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, CPU);
const MEMORY = 'a memory quantity such as "256Mi" or "1Gi"';
export const memoryQuantity = z.string(MEMORY).regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, MEMORY);

/** Explicit requests and a memory limit for every container (the issue forbids unbounded pods). */
export const resources = z.strictObject({
  requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
  limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity }),
});

/** An integer in [min, max], with messages that say so (zod's own say "number"). */
export function integer(min: number, max: number) {
  const expected = `an integer from ${min} to ${max}`;
  return z.number(expected).int(expected).min(min, expected).max(max, expected);
}

export const replicaCount = integer(0, 1000);
export const seconds = integer(1, 86_400);

export const autoscaling = z.strictObject({
  enabled: z.boolean(),
  minReplicas: integer(1, 1000),
  maxReplicas: integer(1, 1000),
  targetCPUUtilizationPercent: integer(1, 100).default(70),
});

export const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, 'a CIDR such as "10.0.0.0/16"');

/** A NetworkPolicy peer: a CIDR, or pods picked by labels (optionally in other namespaces). */
export const networkPeer = z.union(
  [
    z.strictObject({ cidr }),
    z.strictObject({
      podSelector: z.record(z.string(), z.string()),
      namespaceSelector: z.record(z.string(), z.string()).optional(),
    }),
  ],
  '{cidr} or {podSelector, namespaceSelector}',
);

export type NetworkPeer = z.infer<typeof networkPeer>;

export const egress = z.strictObject({
  port: integer(1, 65_535),
  /** Empty means "any destination on that port". */
  to: z.array(networkPeer).default([]),
});

/** An image without tag or digest, e.g. `ghcr.io/ponyexpress/ponyshop`. */
export const imageRepository = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    'an image repository without tag or digest',
  );
/** Never `latest`: what runs must not change under the same name. */
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag')
  .refine((tag) => tag !== 'latest', 'a pinned tag, not "latest"');
export const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'a digest "sha256:<64 hex digits>"');

const MEMORY_FACTORS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes of a memory quantity already accepted by `memoryQuantity`. */
export function memoryBytes(quantity: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity);
  return m ? Number(m[1]) * (MEMORY_FACTORS[m[2]] ?? NaN) : NaN;
}

// The smallest app objects the API tests need, restricted by Pod Security so that only RBAC (not
// admission) decides whether a request passes.

const containerSecurity = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const podSecurity = { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };

export function restrictedDeployment(name: string, namespace: string, image: string): Record<string, unknown> {
  const labels = { 'app.kubernetes.io/name': 'ponyshop', 'app.kubernetes.io/component': 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: podSecurity,
          containers: [{ name: 'web', image, securityContext: containerSecurity }],
        },
      },
    },
  };
}

export function restrictedJob(name: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/component': 'migrate' } },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurity,
          containers: [
            { name: 'migrate', image: 'registry.example/ponyshop:2.0.0', securityContext: containerSecurity },
          ],
        },
      },
    },
  };
}

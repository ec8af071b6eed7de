// Builds the server-side-apply body of a SetImages action: only the fields the operator owns (container
// images, and the pod template's image annotation so it never shows a stale image), so the field manager
// `ponyexpress-operator` owns nothing else.
import { ANNOTATION } from './resource.js';
import type { Action, ActionTarget, SetImages } from './types.js';

export function applyConfiguration(action: SetImages): Record<string, unknown> {
  const podSpec: Record<string, unknown> = {
    containers: action.containers.map((c) => ({ name: c.name, image: c.image })),
  };
  if (action.initContainers.length > 0) {
    podSpec.initContainers = action.initContainers.map((c) => ({ name: c.name, image: c.image }));
  }
  return {
    apiVersion: action.target.apiVersion,
    kind: action.target.kind,
    metadata: { name: action.target.name, namespace: action.target.namespace },
    spec: {
      template: {
        ...(action.containers[0]
          ? { metadata: { annotations: { [ANNOTATION.image]: action.containers[0].image } } }
          : {}),
        spec: podSpec,
      },
    },
  };
}

/** The API write an action makes, or undefined for actions that write nothing to the cluster. */
export function actionTarget(action: Action): ActionTarget | undefined {
  if (action.type === 'CreateMigrationJob')
    return target('create', 'jobs', action.job.metadata.namespace, action.job.metadata.name);
  if (action.type === 'SetImages')
    return target(
      'patch',
      action.target.kind === 'Deployment' ? 'deployments' : 'statefulsets',
      action.target.namespace,
      action.target.name,
    );
  return undefined;
}

function target(
  verb: ActionTarget['verb'],
  resource: ActionTarget['resource'],
  namespace: string,
  name: string,
): ActionTarget {
  return { verb, resource, namespace, name, key: `${verb} ${resource} ${namespace}/${name}` };
}

// The kubelet's env for one container (makeEnvironmentVariables): envFrom first, then env in order, each
// literal `$(VAR)`-expanded against what is defined so far (`$$` escapes, unknown names stay as written).
export type Objects = Record<string, Record<string, string>>;

export function kubeletEnv(container: any, configMaps: Objects, secrets: Objects): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    for (const [k, v] of Object.entries(configMaps[from.configMapRef.name] ?? {})) env.set(k, v);
  }
  for (const v of container.env ?? []) {
    if (v.value !== undefined) {
      env.set(
        v.name,
        v.value.replace(/\$(\$|\(([A-Za-z_][A-Za-z0-9_]*)\))/g, (all: string, _: string, name?: string) =>
          name === undefined ? '$' : (env.get(name) ?? all),
        ),
      );
    } else if (v.valueFrom?.secretKeyRef) {
      const ref = v.valueFrom.secretKeyRef;
      env.set(v.name, secrets[ref.name]?.[ref.key] ?? `<missing secret ${ref.name}/${ref.key}>`);
    } else if (v.valueFrom?.configMapKeyRef) {
      const ref = v.valueFrom.configMapKeyRef;
      env.set(v.name, configMaps[ref.name]?.[ref.key] ?? `<missing configmap ${ref.name}/${ref.key}>`);
    }
  }
  return env;
}

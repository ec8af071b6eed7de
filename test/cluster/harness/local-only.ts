// Tests that need to control the control plane itself (e.g. restart kube-apiserver) cannot
// run against a KUBECONFIG cluster. They are skipped LOUDLY there, never silently.
import { canControlApiserver, EXTERNAL_CLUSTER_REASON } from './apiserver-restart.js';

type TestFn = () => Promise<unknown>;

/** `it` when the harness runs the control plane, otherwise `it.skip` with a warning naming the test. */
export function itWithLocalControlPlane(name: string, fn: TestFn, timeoutMs?: number): void {
  if (canControlApiserver()) {
    it(name, fn, timeoutMs);
    return;
  }
  console.warn(`SKIPPED "${name}": ${EXTERNAL_CLUSTER_REASON}. Unset KUBECONFIG to run it on the local control plane.`);
  it.skip(`${name} [needs the local control plane: ${EXTERNAL_CLUSTER_REASON}]`, fn, timeoutMs);
}

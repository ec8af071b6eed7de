// Reusable helpers for tests in the jest "cluster" project (see docs/cluster.md).
export { adminKubeConfig, writeKubeconfig } from './kubeconfig.js';
export {
  applyObjects,
  apiErrorMessage,
  describeObject,
  sortForApply,
  type ApplyOptions,
  type ManifestObject,
} from './apply.js';
export { waitForJobComplete, waitForJobFailed, waitForRollout, rolloutComplete } from './wait.js';
export { WatchRecorder, type RecordOptions, type RecordedEvent } from './watch-recorder.js';
export {
  createTestNamespace,
  deleteTestNamespace,
  type NamespaceOptions,
  type DeleteNamespaceOptions,
} from './namespace.js';
export {
  mintServiceAccountToken,
  kubeConfigForToken,
  kubeConfigForServiceAccount,
  type TokenOptions,
} from './token.js';
export {
  restartApiserver,
  stopApiserver,
  startApiserver,
  canControlApiserver,
  EXTERNAL_CLUSTER_REASON,
  type StopApiserverOptions,
} from './apiserver-restart.js';
export { itWithLocalControlPlane } from './local-only.js';
export { readState, type ClusterState, type LocalClusterState } from './state.js';
export { waitUntil, StopWaiting } from './readiness.js';
export { TEST_OUTCOME_LABEL } from './kwok-labels.js';

// The kind project's cluster, through the same offline scripts as `bash scripts/kind/up.sh --offline`:
// Docker, the kind cluster (created, or reused when a kept one exists), PostgreSQL and Redis stand-ins, the
// images built and pushed to the cluster's local registry, External Secrets Operator (`up.sh --eso`), the
// operator and both environments on FIRST_TAG.
// Every step is cached by its inputs, so a warm run spends its time on the cluster, not on builds.
import { mkdirSync } from 'node:fs';
import { buildAndPushBadImages } from './bad-images.js';
import { CLUSTER, KEEP, PRODUCTION_NS, STAGING_NS, WORK, run, withLib } from './kind-env.js';

/**
 * A kept cluster that ran the test before has another release somewhere: back to FIRST_TAG everywhere, with
 * no Promotion history (PostgreSQL, Redis, the registry and the pulled images stay). Its API must answer
 * first: a node container that Docker restarted (dockerd killed mid-run) may never serve again.
 * stderr joins stdout, so a failure's message carries kubectl's reason.
 */
const RESET = `exec 2>&1
for i in $(seq 1 60); do "\${KUBECTL[@]}" get --raw /readyz >/dev/null 2>&1 && break; sleep 1; done
"\${KUBECTL[@]}" --request-timeout 10s get --raw /readyz >/dev/null
images="$(for ns in ${STAGING_NS} ${PRODUCTION_NS}; do
  "\${KUBECTL[@]}" -n "$ns" get deployment -l app.kubernetes.io/name=ponyshop -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\\n"}{end}'
done | sort -u)"
if [[ "$images" == "$APP_IMAGE:$FIRST_TAG" ]]; then echo "both environments run $FIRST_TAG: no reset" >&2; exit 0; fi
for ns in ${STAGING_NS} ${PRODUCTION_NS}; do
  "\${KUBECTL[@]}" -n "$ns" delete promotions.ponyexpress.dev --all --wait=true --ignore-not-found
  "\${KUBECTL[@]}" -n "$ns" delete deployment,job -l app.kubernetes.io/name=ponyshop --wait=true
done`;

export function bringUp(): void {
  const started = Date.now();
  try {
    run('docker/start-dockerd.sh');
  } catch (error) {
    throw new Error(
      `the kind tests need a Docker engine, and none could be started here (scripts/docker/start-dockerd.sh): ${String(error)}`,
      { cause: error },
    );
  }
  mkdirSync(WORK, { recursive: true });
  // Sourcing lib.sh offline builds the node image's Go binaries when they are missing (binaries.sh), hence the name.
  const clusters = withLib('kind binaries (built if missing), kind get clusters', 'kind get clusters 2>/dev/null');
  let reused = clusters.split('\n').includes(CLUSTER);
  try {
    if (reused) reused = resetKept();
    run('kind/01-create-cluster.sh');
    exportKubeconfig();
    run('kind/02-install-postgres.sh');
    run('kind/03-install-redis.sh');
    run('kind/04-build-images.sh');
    run('kind/eso.sh');
    buildAndPushBadImages();
    run('kind/05-deploy.sh');
  } catch (error) {
    if (!reused && !KEEP) tearDown();
    throw error;
  }
  process.stderr.write(
    `[kind] cluster ${CLUSTER} ${reused ? 'reused' : 'created'} and deployed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

// Into our own KUBECONFIG file (a reused cluster's entry may be gone with an earlier WORK).
const exportKubeconfig = () =>
  withLib('kind export kubeconfig', 'kind export kubeconfig --name "$CLUSTER" >/dev/null 2>&1');

/**
 * Resets a kept cluster; one that cannot be reset is deleted, to be created anew (false). Only the cluster:
 * its registry, which WORK's images were pushed to, and WORK itself, which holds this run's log, stay.
 */
function resetKept(): boolean {
  try {
    exportKubeconfig();
    withLib('reset the kept cluster to the first release', RESET);
    return true;
  } catch (error) {
    process.stderr.write(
      `[kind] the kept cluster ${CLUSTER} could not be reset, so it is deleted and created anew:\n${String(error)}\n`,
    );
    withLib('delete the kept cluster', 'kind delete cluster --name "$CLUSTER"');
    return false;
  }
}

export function tearDown(): void {
  try {
    run('kind/down.sh');
  } catch (error) {
    process.stderr.write(`[kind] teardown failed: ${String(error)}\n`);
  }
}

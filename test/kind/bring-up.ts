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
 * no Promotion history (PostgreSQL, Redis, the registry and the pulled images stay). Its nodes must not have
 * restarted since a bring-up completed (READY_MARK, on their tmpfs /run, is gone then): a node container that
 * Docker restarted (dockerd killed mid-run) either never serves again or restarts every pod while its
 * Deployments still say they are available. Its API must answer within 60 s.
 * stderr joins stdout, so a failure's message carries kubectl's reason.
 */
const READY_MARK = '/run/ponyexpress-kind-ready';
const RESET = `exec 2>&1
for node in $(kind get nodes --name "$CLUSTER"); do
  docker exec "$node" test -e ${READY_MARK} || { echo "$node restarted since its bring-up completed (${READY_MARK} is gone)"; exit 1; }
done
SECONDS=0; while (( SECONDS < 60 )); do "\${KUBECTL[@]}" --request-timeout 5s get --raw /readyz >/dev/null 2>&1 && break; sleep 1; done
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
    withLib(
      'mark the nodes ready',
      `for node in $(kind get nodes --name "$CLUSTER"); do docker exec "$node" touch ${READY_MARK}; done`,
    );
  } catch (error) {
    // Not down.sh: WORK stays, with this run's log and the result the tests read (the teardown removes it).
    if (!reused && !KEEP) {
      try {
        withLib(
          'delete the cluster that did not come up, and its registry',
          'kind delete cluster --name "$CLUSTER"; docker rm -f "$CLUSTER-registry" >/dev/null 2>&1 || true',
        );
      } catch (deleteError) {
        process.stderr.write(`[kind] ${String(deleteError)}\n`);
      }
    }
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
    // Every line prefixed: the tests relay only the background bring-up's [kind] lines (background.ts).
    const reason = String(error).replace(/^/gm, '[kind]   ');
    process.stderr.write(
      `[kind] the kept cluster ${CLUSTER} could not be reset, so it is deleted and created anew:\n${reason}\n`,
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

#!/usr/bin/env bash
# A real OCI registry for the offline kind cluster, so pods pull by registry digest and report it as their
# imageID (`kind load` gives only the local image ID, never a repository digest).
#   bash scripts/kind/registry.sh [image...]     # start it (idempotent), point the nodes at it, push the images
# The registry is Debian's docker-registry (distribution 2.8) in a container `$CLUSTER-registry` built from the
# local Debian base, on Docker's `kind` network. Each node's containerd (config_path, set by 01-create-cluster.sh)
# gets a hosts.toml making it the mirror of the registry the app and operator images name (ghcr.io), so the
# manifests keep their image names. The host pushes through a loopback port Docker picks.
# stdout: "registry 127.0.0.1:<port>" (the host's address of it), and "replaced <ref>" per stale node copy removed.
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/images/lib.sh
source "$REPO_ROOT/scripts/images/lib.sh"
need docker kind
REGISTRY="${REGISTRY:-$CLUSTER-registry}"
# Registries the images may name; each node is told to pull them from ours.
MIRRORED="${MIRRORED:-ghcr.io}"

debian="$(bash "$REPO_ROOT/scripts/images/base.sh" | sed -n 's/^debian=//p')"
config='version: 0.1
log: { level: warn, fields: { service: registry } }
storage:
  filesystem: { rootdirectory: /var/lib/docker-registry }
  delete: { enabled: true }
http: { addr: ":5000" }'
df="FROM $debian
RUN apt-get update && apt-get install -y --no-install-recommends docker-registry && rm -rf /var/lib/apt/lists/*
COPY config.yml /etc/docker/registry/config.yml
USER docker-registry
EXPOSE 5000
ENTRYPOINT [\"/usr/bin/docker-registry\", \"serve\", \"/etc/docker/registry/config.yml\"]"
image="ponyexpress.local/registry:$(hash_of "$df" "$config")"
if ! have_image "$image"; then
  ctx="$(mktemp -d)"; printf '%s\n' "$df" >"$ctx/Dockerfile"; printf '%s\n' "$config" >"$ctx/config.yml"
  docker build -q -t "$image" "$ctx" >&2 || die "building $image failed"; rm -rf "$ctx"
fi

running="$(docker inspect -f '{{.State.Running}} {{.Config.Image}}' "$REGISTRY" 2>/dev/null || true)"
if [[ "$running" != "true $image" ]]; then
  docker rm -f "$REGISTRY" >/dev/null 2>&1 || true
  docker run -d --name "$REGISTRY" --restart unless-stopped --network kind -p 127.0.0.1::5000 \
    --label "dev.ponyexpress.kind-cluster=$CLUSTER" "$image" >/dev/null
fi
port="$(docker port "$REGISTRY" 5000/tcp | sed -n 's/^127\.0\.0\.1://p' | head -n1)"
[[ -n "$port" ]] || die "registry $REGISTRY has no loopback port"
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null || die "registry $REGISTRY does not answer on 127.0.0.1:$port"

# The nodes reach it by its address on the kind network (the node's resolv.conf bypasses Docker's DNS).
ip="$(docker inspect -f '{{(index .NetworkSettings.Networks "kind").IPAddress}}' "$REGISTRY")"
for node in $(kind get nodes --name "$CLUSTER"); do
  for host in $MIRRORED; do
    docker exec -i "$node" sh -c "mkdir -p /etc/containerd/certs.d/$host && cat >/etc/containerd/certs.d/$host/hosts.toml" <<TOML
# Written by scripts/kind/registry.sh: $host is served by the local registry $REGISTRY.
server = "https://$host"
[host."http://$ip:5000"]
  capabilities = ["pull", "resolve"]
TOML
  done
done

# Pushed as 127.0.0.1:<port>/<path> (Docker treats loopback as insecure by default); the digest is the same
# under any host name, and the nodes ask for <path> at the mirror.
# A node still holding an older image under the same tag would keep running it (IfNotPresent): that copy is
# removed, and the ref is reported as "replaced <ref>" so the caller can restart what runs it.
for ref in "$@"; do
  path="${ref#*/}" repo="${path%:*}" tag="${path##*:}"
  docker tag "$ref" "127.0.0.1:$port/$path"
  docker push -q "127.0.0.1:$port/$path" >&2 || die "pushing $ref to $REGISTRY failed"
  docker rmi "127.0.0.1:$port/$path" >/dev/null
  digest="$(curl -fsSI -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$port/v2/$repo/manifests/$tag" | sed -nE 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *(sha256:[0-9a-f]+).*/\1/p')"
  for node in $(kind get nodes --name "$CLUSTER"); do
    held="$(docker exec "$node" crictl inspecti -o go-template --template '{{range .status.repoDigests}}{{.}} {{end}}' "$ref" 2>/dev/null || true)"
    if [[ -n "$held" && "$held" != *"@$digest "* ]]; then
      docker exec "$node" crictl rmi "$ref" >/dev/null || echo "registry.sh: could not remove the stale $ref from $node" >&2
      echo "replaced $ref"
    fi
  done
done
echo "registry 127.0.0.1:$port"

#!/usr/bin/env bash
# Builds the example app image and the operator image.
#   bash scripts/images/build.sh                      # here: local Debian bases, dependencies resolved on the host
#   IMAGE_BASES=public bash scripts/images/build.sh   # a laptop with internet: the Dockerfiles' public bases
# Environment: APP_IMAGE (ghcr.io/ponyexpress/ponyshop), APP_TAGS ("dev"; each tag gets its own
# PONYSHOP_VERSION, so its own content and digest), OPERATOR_IMAGE (ghcr.io/ponyexpress/operator:0.1.0).
# An image whose inputs (bases, Dockerfile, context files, build args) hash to the key in its
# dev.ponyexpress.inputs label is not rebuilt. stdout: "app <image>" per tag and "operator <image>".
# Neither the host's CA nor its pip/npm configuration gets into any image: wheels and npm tarballs are
# fetched here and copied in; the builds themselves run without network access to PyPI or npm.
# shellcheck source=scripts/images/lib.sh
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
APP_IMAGE="${APP_IMAGE:-ghcr.io/ponyexpress/ponyshop}"
APP_TAGS="${APP_TAGS:-dev}"
OPERATOR_IMAGE="${OPERATOR_IMAGE:-ghcr.io/ponyexpress/operator:0.1.0}"
IMAGE_BASES="${IMAGE_BASES:-local}"
LABEL=dev.ponyexpress.inputs

bash "$REPO_ROOT/scripts/docker/start-dockerd.sh"
# One build at a time per cache: the container project's globalSetup and the kind bring-up (which runs in the
# background of `npm test`) may both ask; the second waits, then finds the images up to date.
exec 7>"$CACHE/.build.lock"
flock 7

# build_image <image> <key> <docker build args...>: builds unless <image> already carries <key>.
build_image() {
  local image="$1" key="$2"; shift 2
  if [[ "$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$image" 2>/dev/null)" == "$key" ]]; then
    say "$image is up to date ($key)"
    return 0
  fi
  local started=$SECONDS log="$CACHE/build-${image//[\/:]/_}.log"
  say "building $image (log: $log)"
  docker build --label "$LABEL=$key" -t "$image" "$@" >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "building $image failed (log: $log)"; }
  say "built $image in $((SECONDS - started)) s"
}

python_args=() node_args=() bases_key=public
if [[ "$IMAGE_BASES" == local ]]; then
  declare -A base
  while IFS='=' read -r name image; do base[$name]="$image"; done < <(bash "$here/base.sh")

  # Python: the runtime base plus wheels downloaded here for its interpreter (CPython 3.11, glibc).
  req="$REPO_ROOT/example/requirements.txt"
  py_build="$LOCAL/python-build:$(hash_of "${base[python]}" "$req" "$(hash_tree "$REPO_ROOT/ponyexpress-django")" wheels-recipe-3)"
  if ! have_image "$py_build"; then
    ctx="$(mktemp -d)"; mkdir "$ctx/wheels"
    say "pip download (requirements.txt and what it pulls in, manylinux wheels for the base's CPython)"
    py_version="$(docker run --rm --network none "${base[python]}" python3 -c 'import platform; print(platform.python_version())')"
    fetch() {
      python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: -d "$ctx/wheels" \
        --python-version "$py_version" --implementation cp --abi "cp$(cut -d. -f1,2 <<<"$py_version" | tr -d .)" \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 "$@" \
        || die "pip download $* failed"
    }
    fetch -r "$req"
    # pip evaluates python_full_version markers with the host's interpreter (redis needs async-timeout
    # below 3.11.3 only), so let the base's own pip say what is still missing, offline.
    # The Dockerfile also installs ../ponyexpress-django from source: its build backend must be there too.
    cp "$req" "$ctx/wheels/requirements.txt"
    mkdir "$ctx/src" && cp -r "$REPO_ROOT/ponyexpress-django/pyproject.toml" "$REPO_ROOT/ponyexpress-django/README.md" "$REPO_ROOT/ponyexpress-django/src" "$ctx/src/"
    for _ in 1 2 3 4 5 6 7 8; do
      if out="$(docker run --rm --network none -v "$ctx/wheels:/wheels:ro" -v "$ctx/src:/src:ro" "${base[python]}" sh -c \
          'cp -r /src /tmp/pkg && python3 -m venv /tmp/v && /tmp/v/bin/pip install -q --dry-run --no-index --find-links /wheels -r /wheels/requirements.txt /tmp/pkg' 2>&1)"; then
        break
      fi
      missing="$(sed -nE 's/.*No matching distribution found for ([^;[:space:]]+).*/\1/p' <<<"$out" | head -n1)"
      [[ -n "$missing" ]] || { echo "$out" >&2; die "the wheels do not install on ${base[python]}"; }
      say "adding $missing (needed on Python $py_version)"
      fetch --no-deps "$missing"
    done
    rm -r "$ctx/wheels/requirements.txt" "$ctx/src"
    printf 'FROM %s\nCOPY wheels /wheels\nENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels\n' "${base[python]}" >"$ctx/Dockerfile"
    docker build -q -t "$py_build" "$ctx" >"$CACHE/build-base.log" 2>&1 || die "building $py_build failed"
    rm -rf "$ctx"
  fi
  python_args=(--build-arg "PYTHON_IMAGE=${base[python]}" --build-arg "PYTHON_BUILD_IMAGE=$py_build")

  # Node: the runtime base plus npm and an npm cache filled here from package-lock.json, used offline.
  npm_version="$(npm --version)"
  node_build="$LOCAL/node-build:$(hash_of "${base[node]}" "$npm_version" "$REPO_ROOT/package-lock.json")"
  if ! have_image "$node_build"; then
    ctx="$(mktemp -d)"; mkdir "$ctx/app"
    say "npm ci into a fresh cache (package-lock.json) and npm@$npm_version"
    cp "$REPO_ROOT/package.json" "$REPO_ROOT/package-lock.json" "$ctx/app/"
    (cd "$ctx/app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --cache "$ctx/npm-cache" >/dev/null) \
      || die "npm ci failed"
    (cd "$ctx" && npm pack --silent --cache "$ctx/npm-cache" "npm@$npm_version" >/dev/null && mkdir npm && tar -xzf npm-*.tgz -C npm --strip-components=1 && rm npm-*.tgz)
    rm -rf "$ctx/app" "$ctx/npm-cache/_logs"
    cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM ${base[node]}
COPY npm /usr/local/lib/node_modules/npm
COPY npm-cache /var/cache/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
ENV npm_config_cache=/var/cache/npm npm_config_offline=true npm_config_update_notifier=false
DOCKERFILE
    docker build -q -t "$node_build" "$ctx" >"$CACHE/build-base.log" 2>&1 || die "building $node_build failed"
    rm -rf "$ctx"
  fi
  node_args=(--build-arg "NODE_IMAGE=${base[node]}" --build-arg "NODE_BUILD_IMAGE=$node_build")
  bases_key="${base[python]} $py_build ${base[node]} $node_build"
elif [[ "$IMAGE_BASES" != public ]]; then
  die "IMAGE_BASES is \"$IMAGE_BASES\"; expected local or public"
fi

# example/Dockerfile copies the helper package from the named context `ponyexpress-django` (BuildKit's
# --build-context). The classic builder resolves `COPY --from=<name>` to an image of that name, so the
# package's files become a local image `ponyexpress-django` first.
helper_key="$(hash_tree "$REPO_ROOT/ponyexpress-django")"
if [[ "$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" ponyexpress-django 2>/dev/null)" != "$helper_key" ]]; then
  ctx="$(mktemp -d)"
  cp -r "$REPO_ROOT/ponyexpress-django/pyproject.toml" "$REPO_ROOT/ponyexpress-django/README.md" "$REPO_ROOT/ponyexpress-django/src" "$ctx/"
  printf 'FROM scratch\nCOPY pyproject.toml README.md /\nCOPY src /src\n' >"$ctx/Dockerfile"
  docker build -q --label "$LABEL=$helper_key" -t ponyexpress-django "$ctx" >"$CACHE/build-base.log" 2>&1 || die "building the ponyexpress-django context image failed"
  rm -rf "$ctx"
fi
example_key="$(hash_of "$(hash_tree "$REPO_ROOT/example")" "$helper_key")"
for tag in $APP_TAGS; do
  image="$APP_IMAGE:$tag"
  build_image "$image" "$(hash_of "$bases_key" "$example_key" "$tag")" \
    "${python_args[@]}" --build-arg "PONYSHOP_VERSION=$tag" "$REPO_ROOT/example"
  echo "app $image"
done

# The classic builder ignores operator/Dockerfile.dockerignore (BuildKit's per-Dockerfile rules), so the
# context is a tar of exactly what that file lets in: its "!" lines, minus its other patterns.
ignore="$REPO_ROOT/operator/Dockerfile.dockerignore"
mapfile -t includes < <(sed -nE 's/^!(.*[^/])\/?$/\1/p' "$ignore")
mapfile -t excludes < <(grep -vE '^(#|!|\*$|$)' "$ignore" | sed 's|\*\*/||g')
# A reproducible tar (sorted, fixed owner and mtime), so its hash is the key of everything the build reads.
context="$(mktemp)"
trap 'rm -f "$context"' EXIT
tar -C "$REPO_ROOT" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$context" \
  "${excludes[@]/#/--exclude=}" "${includes[@]}"
operator_key="$(hash_of "$bases_key" "$context")"
build_image "$OPERATOR_IMAGE" "$operator_key" "${node_args[@]}" -f operator/Dockerfile - <"$context"
echo "operator $OPERATOR_IMAGE"

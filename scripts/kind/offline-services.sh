#!/usr/bin/env bash
# Offline stand-ins, built from Debian packages and loaded into kind:
#   ponyexpress.local/postgresql:<key>  Debian's postgresql (uid 999), initdb on first start, scram, TLS
#   ponyexpress.local/redis:<key>       Debian's redis-server (uid 999)
# stdout: "postgresql <image>" and "redis <image>". Run by 02/03 when OFFLINE=1; `--build-only` builds (or
# reuses) the images without loading them into a cluster (.ci/run builds them while Go compiles).
# shellcheck source=scripts/kind/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/images/lib.sh
source "$REPO_ROOT/scripts/images/lib.sh"
debian="$(bash "$REPO_ROOT/scripts/images/base.sh" | sed -n 's/^debian=//p')"

pg_df="FROM $debian
RUN groupadd -g 999 postgres && useradd -u 999 -g 999 -d /var/lib/postgresql -s /bin/sh postgres \\
 && apt-get update && apt-get install -y --no-install-recommends postgresql openssl && rm -rf /var/lib/apt/lists/*
COPY start-postgres.sh /usr/local/bin/start-postgres.sh
USER 999:999
ENTRYPOINT [\"/bin/sh\", \"/usr/local/bin/start-postgres.sh\"]"
# shellcheck disable=SC2016 # expanded by the container's shell, not here
pg_start='set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin | tail -n1)
data="${PGDATA:-/var/lib/postgresql/data/pgdata}"
if [ ! -s "$data/PG_VERSION" ]; then
  printf "%s" "$POSTGRES_PASSWORD" >/tmp/pw
  "$bin/initdb" -D "$data" -U postgres --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale
  rm /tmp/pw
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$data/pg_hba.conf"
  "$bin/pg_ctl" -D "$data" -o "-c listen_addresses= -k /tmp" -w start
  "$bin/psql" -h /tmp -U postgres -v ON_ERROR_STOP=1 -c "CREATE ROLE \"$APP_USER\" LOGIN PASSWORD '"'"'$APP_PASSWORD'"'"'" -c "CREATE DATABASE \"$APP_DATABASE\" OWNER \"$APP_USER\""
  "$bin/pg_ctl" -D "$data" -m fast -w stop
fi
# TLS like CloudNativePG (the charts may set PGSSLMODE=require): a self-signed certificate on first start.
if [ ! -s "$data/server.key" ]; then
  openssl req -new -x509 -nodes -days 3650 -subj "/CN=postgres" -newkey rsa:2048 -keyout "$data/server.key" -out "$data/server.crt" 2>/dev/null
  chmod 600 "$data/server.key"
fi
exec "$bin/postgres" -D "$data" -c listen_addresses=* -k /tmp -c ssl=on -c ssl_cert_file="$data/server.crt" -c ssl_key_file="$data/server.key"'
pg_image="ponyexpress.local/postgresql:$(hash_of "$pg_df" "$pg_start")"
if ! have_image "$pg_image"; then
  ctx="$(mktemp -d)"; printf '%s\n' "$pg_df" >"$ctx/Dockerfile"; printf '%s\n' "$pg_start" >"$ctx/start-postgres.sh"
  docker build -q -t "$pg_image" "$ctx" >/dev/null || die "building $pg_image failed"; rm -rf "$ctx"
fi
redis_df="FROM $debian
RUN groupadd -g 999 redis && useradd -u 999 -g 999 -d /data -s /bin/sh redis \\
 && apt-get update && apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*
USER 999:999
ENTRYPOINT [\"redis-server\"]"
redis_image="ponyexpress.local/redis:$(hash_of "$redis_df")"
if ! have_image "$redis_image"; then
  ctx="$(mktemp -d)"; printf '%s\n' "$redis_df" >"$ctx/Dockerfile"
  docker build -q -t "$redis_image" "$ctx" >/dev/null || die "building $redis_image failed"; rm -rf "$ctx"
fi
[[ "${1:-}" == --build-only ]] || kind load docker-image --name "$CLUSTER" "$pg_image" "$redis_image" >&2
echo "postgresql $pg_image"
echo "redis $redis_image"

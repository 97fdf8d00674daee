#!/usr/bin/env bash
# Builds the container image from the Dockerfile and checks the running container (#17):
#   build (on NODE_IMAGE, default the local stand-in from scripts/image-base.sh), then run it read-only
#   (--read-only, a tmpfs /tmp, a named volume for /data) with the image's own settings (ADDR=0.0.0.0, AUTH=on)
#   and check: the HEALTHCHECK turns healthy; /healthz and /readyz answer 200; GET / serves the web UI and its
#   assets; without a token GraphQL answers 401; with the bootstrap admin token (printed once on stdout) an
#   account, a pool and an allocation are created; the server runs as a non-root user; the root filesystem is
#   not writable; after stop/start, and again in a new container on the same volume, the allocation is still
#   there and the same token works (no second bootstrap token); `cloudpam backup` works in the running container.
# Needs a Docker daemon. No registry access is needed when NODE_IMAGE is a local image; `npm ci` in the build
# stage needs the npm registry (the host's registry and proxy settings are passed through as build args).
# Usage: scripts/image-smoke.sh
# Env: NODE_IMAGE (default cloudpam-local/node:24-slim, built by scripts/image-base.sh when missing),
#      IMAGE_TAG (default cloudpam:smoke), IMAGE_SMOKE_NETWORK (auto|bridge|host; auto tries bridge first),
#      IMAGE_SMOKE_KEEP=1 (keep the container and volume), IMAGE_SMOKE_TIMEOUT (seconds per wait, default 300),
#      DOCKER_BUILDKIT (default 0 without the buildx plugin: the classic builder needs no frontend image).
set -euo pipefail
cd "$(dirname "$0")/.."

base="${NODE_IMAGE:-cloudpam-local/node:24-slim}"
tag="${IMAGE_TAG:-cloudpam:smoke}"
timeout="${IMAGE_SMOKE_TIMEOUT:-300}"
run_id="cloudpam-smoke-$$"
volume="$run_id-data"
name="$run_id"
checks=0
log() { echo "image-smoke: $*"; }
pass() {
  checks=$((checks + 1))
  log "PASS $*"
}
fail() {
  log "FAIL $*" >&2
  if docker container inspect "$name" >/dev/null 2>&1; then
    log "--- container logs (last 40 lines) ---" >&2
    docker logs --tail 40 "$name" 2>&1 | sed 's/cpam_[A-Za-z0-9_-]*/cpam_<redacted>/g' >&2 || true
  fi
  exit 1
}
cleanup() {
  if [ "${IMAGE_SMOKE_KEEP:-0}" = "1" ]; then
    log "kept container $name and volume $volume (IMAGE_SMOKE_KEEP=1)"
    return
  fi
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

docker info >/dev/null 2>&1 || fail "no Docker daemon (docker info failed)"
if ! docker image inspect "$base" >/dev/null 2>&1; then
  if [ "$base" = "cloudpam-local/node:24-slim" ]; then
    scripts/image-base.sh
  else
    fail "base image $base is not available locally"
  fi
fi

# ---- build -------------------------------------------------------------------------------------------------
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
build_args=(--build-arg "NODE_IMAGE=$base")
registry="$(npm config get registry 2>/dev/null || true)"
if [ -n "$registry" ] && [ "$registry" != "https://registry.npmjs.org/" ]; then
  build_args+=(--build-arg "NPM_CONFIG_REGISTRY=$registry")
fi
for v in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  if [ -n "${!v:-}" ]; then build_args+=(--build-arg "$v=${!v}"); fi
done

choose_network() {
  case "${IMAGE_SMOKE_NETWORK:-auto}" in
    bridge | host) echo "${IMAGE_SMOKE_NETWORK}" ;;
    *)
      # bridge works when a container on it reaches the npm registry (the build stage needs it)
      if docker run --rm --network bridge "$base" node -e '
        fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
        "${registry:-https://registry.npmjs.org/}" >/dev/null 2>&1; then
        echo bridge
      else echo host; fi
      ;;
  esac
}
network="$(choose_network)"
log "base $base ($(docker image inspect --format '{{.Size}}' "$base" | awk '{printf "%.0f MB", $1/1e6}')), network $network, DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-default}"

build_start=$(date +%s)
docker build --force-rm --network "$network" "${build_args[@]}" -t "$tag" . >"${TMPDIR:-/tmp}/$run_id-build.log" 2>&1 || {
  tail -40 "${TMPDIR:-/tmp}/$run_id-build.log" >&2
  fail "docker build (log: ${TMPDIR:-/tmp}/$run_id-build.log)"
}
build_seconds=$(($(date +%s) - build_start))
size_bytes="$(docker image inspect --format '{{.Size}}' "$tag")"
size_mb="$(awk -v b="$size_bytes" 'BEGIN {printf "%.0f", b/1e6}')"
pass "docker build -t $tag in ${build_seconds}s, image $size_mb MB ($size_bytes bytes)"
log "layers:"
docker history --format '  {{.Size}}\t{{.CreatedBy}}' "$tag" | cut -c1-120 | head -20

# ---- run ---------------------------------------------------------------------------------------------------
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
port="$(free_port)"
run_args=(--name "$name" --read-only --tmpfs /tmp -v "$volume:/data" -e LOG_LEVEL=info)
if [ "$network" = "host" ]; then
  # the container shares the host's interfaces: a free port instead of 8080, still on 0.0.0.0 (auth on)
  run_args+=(--network host -e "ADDR=0.0.0.0:$port")
  hc_note=" (HEALTHCHECK probes 127.0.0.1:8080: with --network host the port is moved, so it is overridden to $port)"
  run_args+=(--health-cmd "node -e \"fetch('http://127.0.0.1:$port/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))\"")
else
  run_args+=(-p "127.0.0.1:$port:8080")
  hc_note=""
fi
url="http://127.0.0.1:$port"
docker volume create "$volume" >/dev/null

wait_for() { # wait_for <what> <command...>: polls until the command succeeds
  local what="$1" deadline=$(($(date +%s) + timeout))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(docker inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" != "true" ]; then fail "container exited while waiting for $what"; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then fail "timed out after ${timeout}s waiting for $what"; fi
    sleep 2
  done
}
status_is() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$url$1")" = "$2" ]; }
healthy() { [ "$(docker inspect --format '{{.State.Health.Status}}' "$name")" = "healthy" ]; }
gql() { # gql <token|-> <query> [variables json]: prints the JSON answer
  local auth=()
  if [ "$1" != "-" ]; then auth=(-H "authorization: Bearer $1"); fi
  jq -cn --arg q "$2" --argjson v "${3:-{\}}" '{query: $q, variables: $v}' |
    curl -s "${auth[@]}" -H 'content-type: application/json' --data-binary @- "$url/graphql"
}
gql_ok() { # like gql, fails on GraphQL errors
  local out
  out="$(gql "$@")"
  if [ "$(jq -r '(.errors // []) | length' <<<"$out")" != "0" ] || [ "$(jq -r '.data == null' <<<"$out")" = "true" ]; then
    fail "GraphQL errors: $out"
  fi
  echo "$out"
}

start_run=$(date +%s)
docker run -d "${run_args[@]}" "$tag" >/dev/null
log "started $name on $url (network $network, read-only root, tmpfs /tmp, volume $volume:/data)"

wait_for "/readyz" status_is /readyz 200
ready_seconds=$(($(date +%s) - start_run))
pass "/readyz 200 after ${ready_seconds}s"
status_is /healthz 200 || fail "/healthz"
pass "/healthz 200"

token="$(docker logs "$name" 2>/dev/null | grep -o 'cpam_[A-Za-z0-9_-]*' | head -1 || true)"
[ -n "$token" ] || fail "no bootstrap admin token on stdout"
pass "bootstrap admin token printed once on stdout"

index="$(curl -s -D "${TMPDIR:-/tmp}/$run_id-headers" "$url/")"
grep -qi '^content-type: text/html' "${TMPDIR:-/tmp}/$run_id-headers" || fail "GET / is not HTML"
asset="$(grep -o 'src="/[^"]*\.js"' <<<"$index" | head -1 | sed 's/^src="//; s/"$//')"
[ -n "$asset" ] || fail "GET / has no script (web UI not built into the image?)"
status_is "$asset" 200 || fail "web UI asset $asset"
pass "GET / serves the web UI (text/html, script $asset answers 200)"

# (`__typename` and `serverInfo` are public by design: ask for accounts)
anon="$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  --data '{"query":"{ accounts(first: 1) { edges { node { id } } } }"}' "$url/graphql")"
[ "$anon" = "401" ] || fail "GraphQL without a token answered $anon, not 401"
pass "GraphQL without a token: 401 (auth on)"

account_id="$(gql_ok "$token" 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { account { id } } }' \
  '{"i": {"key": "aws:123456789012", "name": "smoke", "tier": "DEV"}}' | jq -r '.data.createAccount.account.id')"
pool_id="$(gql_ok "$token" 'mutation($i: CreatePoolInput!) { createPool(input: $i) { pool { id } } }' \
  '{"i": {"cidr": "10.42.0.0/16", "name": "smoke-pool"}}' | jq -r '.data.createPool.pool.id')"
alloc="$(gql_ok "$token" 'mutation($i: AllocateInput!) { allocate(input: $i) { allocation { id cidr } } }' \
  "$(jq -cn --arg p "$pool_id" --arg a "$account_id" '{i: {poolId: $p, accountId: $a, prefixLength: 24, name: "smoke-alloc"}}')")"
alloc_id="$(jq -r '.data.allocate.allocation.id' <<<"$alloc")"
alloc_cidr="$(jq -r '.data.allocate.allocation.cidr' <<<"$alloc")"
[[ "$alloc_cidr" == 10.42.*/24 ]] || fail "allocation cidr $alloc_cidr"
pass "GraphQL with the token: account, pool 10.42.0.0/16, allocation $alloc_cidr"

backup="$(docker exec "$name" cloudpam backup /data/smoke-backup.db --json | tail -1)" || fail "cloudpam backup in the container"
[ "$(jq -r '.counts.allocations' <<<"$backup")" = "1" ] || fail "backup counts: $backup"
docker exec "$name" rm /data/smoke-backup.db
pass "cloudpam backup in the running container (cloudpam on PATH, online copy verified, 1 allocation)"

uid="$(docker exec "$name" id -u)"
[ "$uid" != "0" ] || fail "docker exec id -u is 0"
pid1_uid="$(docker exec "$name" sh -c "awk '/^Uid:/ {print \$2}' /proc/1/status")"
[ "$pid1_uid" != "0" ] || fail "the server (pid 1) runs as root"
pass "non-root: exec id -u = $uid, server process uid = $pid1_uid"

[ "$(docker inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = "true" ] || fail "not read-only"
if docker exec "$name" sh -c 'touch /app/probe' 2>/dev/null; then fail "root filesystem is writable"; fi
docker exec "$name" sh -c 'touch /tmp/probe && touch /data/probe && rm /tmp/probe /data/probe' || fail "/tmp or /data not writable"
pass "read-only root filesystem (writes to /app refused; /tmp and /data writable)"

wait_for "HEALTHCHECK healthy" healthy
pass "HEALTHCHECK healthy after $(($(date +%s) - start_run))s$hc_note"

still_there() { # the allocation answers with the same cidr, with the same token
  local out
  out="$(gql "$token" 'query($id: ID!) { node(id: $id) { ... on Allocation { cidr } } }' "$(jq -cn --arg id "$alloc_id" '{id: $id}')")"
  [ "$(jq -r '.data.node.cidr' <<<"$out")" = "$alloc_cidr" ]
}
still_there || fail "allocation not readable back"

docker stop -t 30 "$name" >/dev/null
exit_code="$(docker inspect --format '{{.State.ExitCode}}' "$name")"
[ "$exit_code" = "0" ] || fail "docker stop: exit code $exit_code (graceful shutdown expected)"
pass "docker stop: graceful shutdown, exit code 0"
docker start "$name" >/dev/null
wait_for "/readyz after restart" status_is /readyz 200
still_there || fail "allocation lost after stop/start"
pass "stop/start: allocation $alloc_cidr still there, same token works"

docker rm -f "$name" >/dev/null
docker run -d "${run_args[@]}" "$tag" >/dev/null
wait_for "/readyz in a new container" status_is /readyz 200
still_there || fail "allocation lost in a new container on the same volume"
if docker logs "$name" 2>&1 | grep -q 'cpam_'; then fail "a new container on the same volume printed another bootstrap token"; fi
wait_for "HEALTHCHECK healthy in a new container" healthy
pass "new container on the same volume: allocation still there, no new bootstrap token, healthy"

log "OK: $checks checks passed; image $tag $size_mb MB, build ${build_seconds}s, network $network, base $base"

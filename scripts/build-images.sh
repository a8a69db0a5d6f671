#!/usr/bin/env bash
# Build the local test images that the molecule scenarios and tests/docker run:
#   debian:SUITE                 base; pulled where a registry answers, else made with debootstrap
#                                and `docker import`ed under the registry's own name, so that
#                                `FROM debian:SUITE` works the same everywhere.
#   v6vpn-test/systemd:SUITE     systemd as PID 1 for molecule (tests/images/systemd).
#   v6vpn-test/openvpn-peer:bookworm
#                                the real OpenVPN client and the target's tools on top of it
#                                (molecule/openvpn/peer-image): tests/integration runs its openvpn;
#                                molecule's create.yml rebuilds it from the layer cache.
# Rebuilds an image only when its inputs changed (hash kept in an image label): a second run
# takes seconds. Needs a Docker engine (scripts/bootstrap-docker.sh).
# Environment: SUITES (default "bookworm trixie"), DEBIAN_MIRROR, FORCE=1 to rebuild the
# systemd images from scratch (remove debian:SUITE by hand to re-make a base).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUITES="${SUITES:-bookworm trixie}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CONTEXT="$ROOT/tests/images/systemd"
LOGDIR="$ROOT/.cache/images"
LABEL=org.v6vpn.inputs
mkdir -p "$LOGDIR"

die() { echo "images: ERROR: $*" >&2; exit 1; }
now() { date +%s; }
# Run a step with its output in a log; on failure show the log's tail and stop.
logged() {
    local log="$1"; shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        die "failed: $* (full log: $log)"
    fi
}

docker info >/dev/null 2>&1 || die "no Docker engine answers \`docker info\` (run scripts/bootstrap-docker.sh)"

# Two runs at once (parallel make, two engineers) would build the same images twice.
exec 9>"$LOGDIR/.lock"
flock -w 1800 9 || die "another build-images.sh has held $LOGDIR/.lock for 30 minutes"

# Hash of everything that shapes an image: its build context, this script and any more text given
# (the base image's id for the peer image).
inputs_hash() {
    local context="$1"; shift
    (cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
     sha256sum < "$ROOT/scripts/build-images.sh"; echo "$@") | sha256sum | cut -c1-16
}

ensure_debootstrap() {
    command -v debootstrap >/dev/null && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        die "debian base images need debootstrap (apt-get install debootstrap) or a reachable registry"
    fi
    logged "$LOGDIR/apt-debootstrap.log" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends debootstrap
}

# The debootstrap tree being built, removed on any exit. A failed debootstrap can leave proc or
# sys mounted inside it: unmount those first, and never let rm cross into another filesystem.
ROOTFS=""
cleanup_rootfs() {
    [ -n "$ROOTFS" ] || return 0
    findmnt -rn -o TARGET | grep -F "$ROOTFS/" | sort -r | xargs -r umount -l 2>/dev/null || true
    rm -rf --one-file-system "$ROOTFS"
    ROOTFS=""
}
trap cleanup_rootfs EXIT

# debootstrap a minimal SUITE and import it as debian:SUITE.
debootstrap_base() {
    local suite="$1" dir try
    ensure_debootstrap
    [ "$(id -u)" = 0 ] || die "debootstrap needs root (or make debian:$suite available to docker yourself)"
    # Two tries: a mirror hiccup during ~100 downloads should not fail the whole test run.
    for try in 1 2; do
        dir="$(mktemp -d "${TMPDIR:-/var/tmp}/v6vpn-rootfs-$suite.XXXXXX")"
        ROOTFS="$dir"
        if debootstrap --variant=minbase "$suite" "$dir" "$MIRROR" >"$LOGDIR/debootstrap-$suite.log" 2>&1; then
            break
        fi
        cleanup_rootfs
        if [ "$try" = 2 ]; then
            tail -n 25 "$LOGDIR/debootstrap-$suite.log" >&2
            die "debootstrap $suite failed twice (full log: $LOGDIR/debootstrap-$suite.log)"
        fi
    done
    # Leave no package lists or caches in the base (the systemd layer controls them).
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    # /dev, /proc, /sys contents come from the runtime, not the image.
    tar -C "$dir" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
        | docker import --change 'CMD ["bash"]' - "debian:$suite" >"$LOGDIR/import-$suite.log" 2>&1 \
        || { tail -n 25 "$LOGDIR/import-$suite.log" >&2; die "docker import of debian:$suite failed"; }
    cleanup_rootfs
}

ensure_base() {
    local suite="$1" t0
    docker image inspect "debian:$suite" >/dev/null 2>&1 && return 0
    t0=$(now)
    # Prefer the registry's image (what users with Docker Hub get); bounded, it fails fast here.
    if timeout 120 docker pull -q "debian:$suite" >"$LOGDIR/pull-$suite.log" 2>&1; then
        echo "images: debian:$suite pulled ($(( $(now) - t0 ))s)"
    else
        debootstrap_base "$suite"
        echo "images: debian:$suite built with debootstrap, no registry ($(( $(now) - t0 ))s)"
    fi
}

# up_to_date TAG INPUTS: TAG exists with INPUTS in its label (FORCE=1: never).
up_to_date() {
    local have
    have="$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true)"
    [ "$have" = "$2" ] && [ "${FORCE:-0}" != 1 ] && echo "images: $1 up to date (inputs $2)"
}

# build_image TAG CONTEXT KIND INPUTS [docker build arguments...]
build_image() {
    local tag="$1" context="$2" kind="$3" want="$4" t0; shift 4
    t0=$(now)
    # FORCE=1 also skips the layer cache, to pick up the archive's newest packages.
    local nocache=()
    [ "${FORCE:-0}" = 1 ] && nocache=(--no-cache)
    # Classic builder: BuildKit would ask a registry about debian:SUITE even when it is local.
    # --pull=false for the same reason; the label records the inputs for the skip above.
    logged "$LOGDIR/build-$kind-${tag##*:}.log" env DOCKER_BUILDKIT=0 docker build \
        --pull=false --force-rm "${nocache[@]}" "$@" \
        --label "$LABEL=$want" --label "org.v6vpn.image=$kind" \
        -t "$tag" "$context"
    # The image this one replaced is now untagged; drop it (only ours, by label).
    docker image prune -f --filter "label=org.v6vpn.image=$kind" >/dev/null 2>&1 || true
    echo "images: $tag built ($(( $(now) - t0 ))s)"
}

build_systemd() {
    local suite="$1" tag="v6vpn-test/systemd:$1" want
    want="$(inputs_hash "$CONTEXT")"
    up_to_date "$tag" "$want" && return 0
    ensure_base "$suite"
    build_image "$tag" "$CONTEXT" systemd "$want" --build-arg "SUITE=$suite"
}

build_peer() {
    local suite=bookworm tag=v6vpn-test/openvpn-peer:bookworm context="$ROOT/molecule/openvpn/peer-image" want
    want="$(inputs_hash "$context" "$(docker image inspect -f '{{.Id}}' "v6vpn-test/systemd:$suite")")"
    up_to_date "$tag" "$want" && return 0
    build_image "$tag" "$context" openvpn-peer "$want" --build-arg "SUITE=$suite"
}

for suite in $SUITES; do
    build_systemd "$suite"
done
case " $SUITES " in *" bookworm "*) build_peer ;; esac

#!/usr/bin/env bash
# Make a Docker engine answer `docker info`, for the molecule scenarios and tests/docker.
#
# - Engine already answering: do nothing, print nothing (the usual case after the first run).
# - Root on Debian: install docker.io (+ debootstrap, which scripts/build-images.sh needs to
#   make base images without a registry) and start the engine: `systemctl start docker` when
#   systemd is PID 1, else a background dockerd detached from the caller (CI VMs of this kind
#   have no init system that would do it for us).
# - Anything else: say what to install and fail.
#
# Bounded: the engine gets DOCKER_START_TIMEOUT seconds (default 60) to answer.
set -euo pipefail

LOG="${DOCKERD_LOG:-/var/log/v6vpn-dockerd.log}"
APT_LOG="${APT_LOG:-/var/log/v6vpn-apt.log}"
TIMEOUT="${DOCKER_START_TIMEOUT:-60}"
LOCK="/run/lock/v6vpn-bootstrap-docker.lock"

say() { echo "docker: $*"; }
die() { echo "docker: ERROR: $*" >&2; exit 1; }
engine_ok() { docker info >/dev/null 2>&1; }

engine_ok && exit 0

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null; then
    cat >&2 <<'EOF'
docker: ERROR: no Docker engine answers `docker info`, and this script only installs one as
root on Debian. Install and start Docker yourself (Debian/Ubuntu: `apt-get install docker.io
debootstrap`, then start the `docker` service; elsewhere see https://docs.docker.com/engine/install/),
make sure your user can reach the socket, and run `make test` again.
EOF
    exit 1
fi

# Two `make` runs at once must not install or start the engine twice.
mkdir -p "$(dirname "$LOCK")"
exec 9>"$LOCK"
flock -w $((TIMEOUT * 10)) 9 || die "another bootstrap-docker.sh holds $LOCK"
engine_ok && exit 0

systemd_pid1() { [ -d /run/systemd/system ]; }

# --- install (only what is missing; one apt-get update) -------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]} with apt (log: $APT_LOG)"
    export DEBIAN_FRONTEND=noninteractive
    policy=""
    # Without systemd, the package's postinst would start dockerd through /etc/init.d with its own
    # settings and log; keep that from happening so the one dockerd below is ours.
    if ! systemd_pid1 && [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    : > "$APT_LOG"
    # A failed update (e.g. one unreachable extra repository) need not stop the install: the
    # existing lists may do. The install's own failure is what counts.
    apt-get update -q >>"$APT_LOG" 2>&1 || say "warning: apt-get update failed, trying the install anyway"
    # --no-install-recommends: skips needrestart (interactive prompts), apparmor, git, ...
    if ! apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${missing[@]}" >>"$APT_LOG" 2>&1; then
        tail -n 20 "$APT_LOG" >&2
        die "apt-get install ${missing[*]} failed (full log: $APT_LOG)"
    fi
    if [ -n "$policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi

# --- start -----------------------------------------------------------------------------------
if systemd_pid1; then
    say "starting docker.service"
    systemctl start docker || die "systemctl start docker failed (see: journalctl -u docker)"
    logs() { journalctl -u docker --no-pager -n 20 >&2 || true; }
elif pgrep -x dockerd >/dev/null; then
    # Started but not answering yet (e.g. still initialising): wait, don't start a second one.
    say "dockerd is running but not answering yet; waiting"
    logs() { tail -n 20 "$LOG" >&2 2>/dev/null || true; }
else
    say "starting dockerd (log: $LOG)"
    # setsid + nohup + all three std streams redirected: the engine outlives this script and
    # make, and does not hold the caller's stdout/stderr pipe open (CI would hang on it);
    # 9>&- so it does not keep our lock either.
    # overlay2: the storage driver that works on this VM kind (and the fast one).
    setsid nohup dockerd --storage-driver overlay2 >>"$LOG" 2>&1 </dev/null 9>&- &
    logs() { tail -n 20 "$LOG" >&2 2>/dev/null || true; }
fi

for _ in $(seq 1 "$TIMEOUT"); do
    engine_ok && { say "engine ready ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"; exit 0; }
    sleep 1
done
logs
die "the Docker engine did not answer \`docker info\` within ${TIMEOUT}s"

#!/usr/bin/env bash
# The local lab: the whole site.yml flow with no AWS account (README "Try it: the lab").
#
#   scripts/lab.sh up      (make lab)       build and prove; re-running converges, changes nothing
#   LAB_IPV6_ONLY=1 scripts/lab.sh up       the same with an IPv6-only tunnel (lab/ipv6-only.yml:
#                                           NAT64 + DNS64 on the server); `up` without it goes back
#   scripts/lab.sh down    (make lab-down)  teardown.yml, then remove containers, networks, emulator
#   scripts/lab.sh status                   what is running; who is connected (playbooks/status.yml)
#   scripts/lab.sh run PLAYBOOK [ARGS]      any playbook with the lab's inventory, vars and emulator,
#                                           e.g. playbooks/clients.yml -e '{"openvpn_clients": [...]}'
#
# What `up` does, one progress line per phase (each phase logs to $LAB_STATE/logs/):
#   1. prerequisites  .venv and collections, Docker engine, the systemd image, the client image
#   2. emulator       the EC2 API emulator (tests/emulator) on loopback, in the background
#   3. containers     networks "internet" (IPv4), "upstream" (IPv6 only, in 2001:db8::/32) and
#                     "home" (the client's IPv4 LAN), a systemd Debian container standing in for
#                     the EC2 instance on "internet" and "upstream", a web target on "upstream"
#                     only, on "internet" an IPv4-only web host and the lab's DNS (names under
#                     lab.example: an A-only, an AAAA-only, a dual-stack one), and the home router
#                     (NAT from "home" to "internet")
#   4. site.yml       the REAL playbooks/site.yml: network + ec2 against the emulator, openvpn on
#                     the stand-in (lab/inventory.yml, lab/vars.yml), profiles to $LAB_STATE/clients
#   5. client         client containers on "home" only connect with the fetched profiles: the
#                     laptop over UDP; the phone, whose router drops its UDP, falls back to TCP 443
#   6. proof          from the client: its tunnel IPv6, ping6 and HTTP GET to the target, and the
#                     source address the target saw; in the IPv6-only mode also: no IPv4 path,
#                     DNS64 names, HTTP by name to the IPv4-only host through NAT64, and the
#                     address that host saw
#
# Bash drives Docker; the reports (site.yml's run and summary, what the emulator holds, the proof)
# are lab/report.py's, fed by ansible-playbook's JSON output (the ansible.posix.json callback).
#
# Several labs can run side by side (the lab test does): LAB_ID names containers and networks,
# LAB_NET (1-255) picks their subnets, LAB_STATE is where state and logs go.
# Traffic flows only between the lab's own containers (and from the stand-in to the Debian mirror
# for its packages). Every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

LAB_ID="${LAB_ID:-lab}"
LAB_NET="${LAB_NET:-1}"
LAB_STATE="${LAB_STATE:-$ROOT/lab/state}"
LAB_SUITE="${LAB_SUITE:-bookworm}"
# 1: site.yml with lab/ipv6-only.yml too (an IPv6-only tunnel, NAT64 + DNS64), and its proof.
LAB_IPV6_ONLY="${LAB_IPV6_ONLY:-0}"
# Bounds (seconds).
SITE_TIMEOUT="${LAB_SITE_TIMEOUT:-1200}"
BOOT_TIMEOUT=90
EMULATOR_TIMEOUT=60
TUNNEL_TIMEOUT=60

[[ "$LAB_ID" =~ ^[a-z0-9][a-z0-9-]{0,20}$ ]] || { echo "lab: LAB_ID must match ^[a-z0-9][a-z0-9-]{0,20}\$" >&2; exit 2; }
case "$LAB_IPV6_ONLY" in
    1) LAB_MODE=ipv6-only ;;
    0 | "") LAB_MODE=default ;;
    *) echo "lab: LAB_IPV6_ONLY must be 1 (the IPv6-only mode) or 0" >&2; exit 2 ;;
esac
if ! [[ "$LAB_NET" =~ ^[0-9]+$ ]] || [ "$LAB_NET" -lt 1 ] || [ "$LAB_NET" -gt 255 ]; then
    echo "lab: LAB_NET must be a number from 1 to 255" >&2
    exit 2
fi

VENV="$ROOT/.venv"
LOGS="$LAB_STATE/logs"
# A path for messages: relative to the checkout when inside it.
rel() { case "$1" in "$ROOT"/*) echo "${1#"$ROOT"/}" ;; *) echo "$1" ;; esac; }
LABEL="org.v6vpn.lab=$LAB_ID"
PREFIX="v6vpn-$LAB_ID"
NET_INTERNET="$PREFIX-internet"
NET_UPSTREAM="$PREFIX-upstream"
NET_HOME="$PREFIX-home"
ROUTER="$PREFIX-router"
SERVER="$PREFIX-server"
TARGET="$PREFIX-target"
TARGET4="$PREFIX-ipv4-target"
DNS="$PREFIX-dns"
CLIENT="$PREFIX-client"
PHONE="$PREFIX-phone"
SERVER_IMAGE="v6vpn-test/systemd:$LAB_SUITE"
CLIENT_IMAGE="v6vpn-lab/client:$LAB_SUITE"
CLIENT_NAME=laptop                       # the client of lab/vars.yml whose profile the proof uses
PHONE_NAME=phone                         # the client of lab/vars.yml on a network that blocks UDP
VPN_NAME="$(sed -n "s/^vpn_name: *//p" lab/vars.yml)"

# Addressing; lab/inventory.yml derives the same addresses from lab_net.
# "internet": 198.18.N.0/24 (RFC 2544 benchmarking space: never on the real internet).
# "upstream": 2001:db8:1ab:N::/64 (documentation space, inside 2000::/3 so the pushed
# `route-ipv6 2000::/3` covers it). Docker 20.10 cannot make an IPv6-only network, so
# "upstream" also gets 198.19.N.0/25, and the lab removes those IPv4 addresses from the
# containers (phase 3): nothing talks IPv4 on it.
# "home": 198.19.N.128/25, the client's own IPv4-only LAN, behind a NAT router on "internet",
# as at home: the VPN server is not on the client's LAN (OpenVPN's redirect-gateway block-local,
# which the IPv6-only mode pushes, leaves the LAN alone when the server is on it).
INTERNET_V4="198.18.$LAB_NET.0/24"
INTERNET_GW4="198.18.$LAB_NET.1"
ROUTER_V4="198.18.$LAB_NET.2"
SERVER_V4="198.18.$LAB_NET.10"
# On "internet" too: the client reaches them over IPv4 through its router unless the tunnel
# stops it (the IPv6-only mode).
DNS_V4="198.18.$LAB_NET.53"
TARGET4_V4="198.18.$LAB_NET.80"
UPSTREAM_V4="198.19.$LAB_NET.0/25"
HOME_V4="198.19.$LAB_NET.128/25"
HOME_GW4="198.19.$LAB_NET.129"
ROUTER_HOME_V4="198.19.$LAB_NET.130"
CLIENT_V4="198.19.$LAB_NET.150"
PHONE_V4="198.19.$LAB_NET.151"
UPSTREAM_V6="2001:db8:1ab:$LAB_NET::/64"
SERVER_V6="2001:db8:1ab:$LAB_NET::10"
TARGET_V6="2001:db8:1ab:$LAB_NET::80"
# The lab's names (under RFC 2606's .example: unbound answers RFC 6761's .test itself), answered
# by the lab's DNS only (dnsmasq, --local: NODATA for the record type a name lacks, so DNS64
# synthesizes AAAA for the A-only name).
LAB_DOMAIN=lab.example
NAME_V4ONLY="ipv4-only.$LAB_DOMAIN"
NAME_V6ONLY="ipv6-only.$LAB_DOMAIN"
NAME_DUAL="dual-stack.$LAB_DOMAIN"
# The IPv6-only mode's settings, passed after lab/vars.yml (lab/ipv6-only.yml says why each).
IPV6_ONLY_VARS=lab/ipv6-only.yml

# The emulator needs credentials of some kind; these reach nothing but it.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=us-east-1
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.cache/self:$ROOT/.cache/collections"
export ANSIBLE_ROLES_PATH="$ROOT/roles"
export ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
export PY_COLORS=0

# --- phase runner ---------------------------------------------------------------------------
# Each phase runs in a subshell with errexit (so a failing command stops it), output to its log;
# a phase tells the progress line its outcome through note(). When it fails, the lab shows what
# the phase wrote to $LAB_STATE/.problem (e.g. the failing task of a playbook), or else the end
# of its log.
PHASE_NO=0
PHASE_TOTAL=0
note() { echo "$*" > "$LAB_STATE/.note"; }
lab_report() { "$VENV/bin/python" -m lab.report "$@"; }
phase() {
    local name="$1" what="$2" fn="$3" log rc t0
    PHASE_NO=$((PHASE_NO + 1))
    log="$LOGS/$PHASE_NO-$name.log"
    PHASE_LOG="$log"
    printf 'lab [%d/%d] %-14s %s ... ' "$PHASE_NO" "$PHASE_TOTAL" "$name" "$what"
    : > "$LAB_STATE/.note"
    : > "$LAB_STATE/.problem"
    t0=$SECONDS
    set +e
    ( set -euo pipefail; "$fn" ) >"$log" 2>&1
    rc=$?
    set -e
    if [ "$rc" = 0 ]; then
        echo "ok, $((SECONDS - t0))s$( [ -s "$LAB_STATE/.note" ] && printf ': %s' "$(cat "$LAB_STATE/.note")")"
        return 0
    fi
    echo "FAILED after $((SECONDS - t0))s"
    if [ -s "$LAB_STATE/.problem" ]; then
        cat "$LAB_STATE/.problem" >&2
    else
        echo "---- last lines of $(rel "$log")" >&2
        tail -n 30 "$log" >&2
        echo "----" >&2
    fi
    echo "lab: phase $PHASE_NO ($name) failed; its full log: $(rel "$log")" >&2
    [ "$name" = down ] || echo "lab: fix and run 'make lab' again, or clean up with 'make lab-down'" >&2
    exit 1
}

docker_ok() { docker info >/dev/null 2>&1; }
exists() { docker "$1" inspect "$2" >/dev/null 2>&1; }
# Poll `$@` once a second until it succeeds or `limit` seconds pass.
wait_for() {
    local limit="$1" what="$2" i; shift 2
    for ((i = 0; i < limit; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "timed out after ${limit}s waiting for $what" >&2
    return 1
}

# --- emulator -------------------------------------------------------------------------------
emulator_pid() { cat "$LAB_STATE/emulator.pid" 2>/dev/null || true; }
emulator_url() { cat "$LAB_STATE/emulator.url" 2>/dev/null || true; }
# Ours and alive: the pid file's process runs tests.emulator (a recycled pid is not ours).
emulator_alive() {
    local pid; pid="$(emulator_pid)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'tests.emulator'
}
emulator_answers() { curl -fsS -m 5 -o /dev/null "$(emulator_url)/moto-api/data.json"; }

# --- phase 1: prerequisites -----------------------------------------------------------------
prerequisites() {
    scripts/bootstrap-python.sh
    scripts/bootstrap-docker.sh
    SUITES="$LAB_SUITE" scripts/build-images.sh
    # The client image (the lab's DNS runs from it too), rebuilt only when a file of its build
    # context changes (hash in a label).
    local want have
    want="$(cd lab/images/client && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    have="$(docker image inspect -f '{{ index .Config.Labels "org.v6vpn.inputs" }}' "$CLIENT_IMAGE" 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        DOCKER_BUILDKIT=0 docker build --pull=false --force-rm --build-arg "SUITE=$LAB_SUITE" \
            --label "org.v6vpn.inputs=$want" --label org.v6vpn.image=lab-client \
            -t "$CLIENT_IMAGE" lab/images/client
        docker image prune -f --filter label=org.v6vpn.image=lab-client >/dev/null 2>&1 || true
        note "built $CLIENT_IMAGE"
    else
        note "venv, Docker engine, $SERVER_IMAGE and $CLIENT_IMAGE ready"
    fi
}

# --- phase 2: emulator ----------------------------------------------------------------------
# `python -m tests.emulator start|stop` (the one life cycle the lab, molecule and the benchmarks
# share): detached in its own session, the pid file written once it answers, its URL printed.
emulator() { "$VENV/bin/python" -m tests.emulator "$@"; }

start_emulator() {
    if emulator_alive && emulator_answers; then
        note "already running at $(emulator_url) (pid $(emulator_pid))"
        return 0
    fi
    # One that runs but does not answer is stopped first (start refuses a live pid file); `stop`
    # says so when it had to kill it.
    emulator stop --pidfile "$LAB_STATE/emulator.pid" || true
    rm -f "$LAB_STATE/emulator.url"
    local url
    url="$(emulator start --pidfile "$LAB_STATE/emulator.pid" --log "$LAB_STATE/emulator.log" \
        --timeout "$EMULATOR_TIMEOUT" --register-debian-ami --request-log "$LAB_STATE/emulator-calls.log")"
    echo "$url" > "$LAB_STATE/emulator.url"
    wait_for 10 "the emulator to answer" emulator_answers
    note "started at $url (pid $(emulator_pid), log $(rel "$LAB_STATE/emulator.log"))"
}

# --- phase 3: networks and containers -------------------------------------------------------
# The options the molecule platforms use: systemd as PID 1 without --privileged.
SYSTEMD_RUN_OPTS=(
    --cap-add NET_ADMIN --cap-add SYS_ADMIN --device /dev/net/tun
    --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:ro
    --tmpfs /run --tmpfs /run/lock --tmpfs /tmp --stop-signal SIGRTMIN+3
)

booted() {
    local state
    state="$(docker exec "$SERVER" timeout 5 systemctl is-system-running 2>/dev/null || true)"
    [ "$state" = running ] || [ "$state" = degraded ]
}

containers() {
    local made=()
    if ! exists network "$NET_INTERNET"; then
        docker network create --label "$LABEL" --subnet "$INTERNET_V4" --gateway "$INTERNET_GW4" "$NET_INTERNET"
        made+=("$NET_INTERNET")
    fi
    if ! exists network "$NET_UPSTREAM"; then
        docker network create --label "$LABEL" --ipv6 --subnet "$UPSTREAM_V4" --subnet "$UPSTREAM_V6" "$NET_UPSTREAM"
        made+=("$NET_UPSTREAM")
    elif ! docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' "$NET_UPSTREAM" | grep -qw "$UPSTREAM_V4"; then
        echo "$NET_UPSTREAM was made by an older scripts/lab.sh (without the client's home network): run 'make lab-down', then 'make lab'" | tee "$LAB_STATE/.problem"
        return 1
    fi
    if ! exists network "$NET_HOME"; then
        docker network create --label "$LABEL" --subnet "$HOME_V4" --gateway "$HOME_GW4" "$NET_HOME"
        made+=("$NET_HOME")
    fi

    if ! exists container "$SERVER"; then
        docker run -d --name "$SERVER" --hostname vpn-server --label "$LABEL" "${SYSTEMD_RUN_OPTS[@]}" \
            --sysctl net.ipv6.conf.all.disable_ipv6=0 --sysctl net.ipv6.conf.default.disable_ipv6=0 \
            --network "$NET_INTERNET" --ip "$SERVER_V4" \
            "$SERVER_IMAGE" /lib/systemd/systemd
        docker network connect --ip6 "$SERVER_V6" "$NET_UPSTREAM" "$SERVER"
        made+=("$SERVER")
    elif [ "$(docker inspect -f '{{.State.Running}}' "$SERVER")" != true ]; then
        docker start "$SERVER"
        made+=("$SERVER (restarted)")
    fi
    wait_for "$BOOT_TIMEOUT" "systemd to boot in $SERVER" booted
    # "upstream" carries IPv6 only: drop the IPv4 address Docker put on it, keep IPv4 (the public
    # side, and apt's way to the mirror) on "internet". The lab's IPv6 network is closed (its
    # 2001:db8:: addresses reach nothing outside), so apt must not try the mirror over IPv6.
    docker exec -i "$SERVER" sh -eu -s "$SERVER_V6" "$INTERNET_GW4" <<'SH'
dev="$(ip -o -6 addr show to "$1/128" | awk '{print $2; exit}')"
[ -n "$dev" ] || { echo "no interface holds $1" >&2; exit 1; }
ip -4 addr flush dev "$dev"
ip -4 route replace default via "$2"
echo 'Acquire::ForceIPv4 "true";  // v6vpn lab: the upstream IPv6 network is closed' > /etc/apt/apt.conf.d/99v6vpn-lab
SH

    if ! exists container "$TARGET"; then
        docker run -d --name "$TARGET" --hostname ipv6-target --label "$LABEL" --cap-add NET_ADMIN \
            --network "$NET_UPSTREAM" --ip6 "$TARGET_V6" \
            -v "$ROOT/lab/target/http_echo.py:/srv/http_echo.py:ro" \
            "$SERVER_IMAGE" sh -c 'ip -4 addr flush dev eth0 && exec python3 -u /srv/http_echo.py'
        made+=("$TARGET")
    elif [ "$(docker inspect -f '{{.State.Running}}' "$TARGET")" != true ]; then
        docker start "$TARGET"
        made+=("$TARGET (restarted)")
    fi
    wait_for 20 "the target's web server" docker exec "$TARGET" python3 -c \
        "import socket; socket.create_connection(('$TARGET_V6', 80), 2).close()"

    # The IPv4-only web host: on "internet" only, which has no IPv6 at all.
    if ! exists container "$TARGET4"; then
        docker run -d --name "$TARGET4" --hostname ipv4-target --label "$LABEL" \
            --network "$NET_INTERNET" --ip "$TARGET4_V4" \
            -v "$ROOT/lab/target/http_echo.py:/srv/http_echo.py:ro" \
            "$SERVER_IMAGE" python3 -u /srv/http_echo.py --ipv4
        made+=("$TARGET4")
    elif [ "$(docker inspect -f '{{.State.Running}}' "$TARGET4")" != true ]; then
        docker start "$TARGET4"
        made+=("$TARGET4 (restarted)")
    fi
    wait_for 20 "the IPv4-only web host" docker exec "$TARGET4" python3 -c \
        "import socket; socket.create_connection(('$TARGET4_V4', 80), 2).close()"

    # The lab's DNS, which the server's DNS64 forwards to in the IPv6-only mode (in place of the
    # VPC resolver): authoritative for lab.example only, every query logged.
    if ! exists container "$DNS"; then
        docker run -d --name "$DNS" --hostname lab-dns --label "$LABEL" \
            --network "$NET_INTERNET" --ip "$DNS_V4" \
            "$CLIENT_IMAGE" dnsmasq --keep-in-foreground --user=root --no-resolv --no-hosts \
            --log-queries --log-facility=- --local="/$LAB_DOMAIN/" \
            --host-record="$NAME_V4ONLY,$TARGET4_V4" --host-record="$NAME_V6ONLY,$TARGET_V6" \
            --host-record="$NAME_DUAL,$TARGET4_V4,$TARGET_V6"
        made+=("$DNS")
    elif [ "$(docker inspect -f '{{.State.Running}}' "$DNS")" != true ]; then
        docker start "$DNS"
        made+=("$DNS (restarted)")
    fi
    wait_for 20 "the lab's DNS" sh -c "docker logs '$DNS' 2>&1 | grep -q 'using only locally-known addresses'"

    # The client's home router: forwards "home" to "internet", masquerading (its own netns's
    # ip_forward only). No IPv6 on either side.
    if ! exists container "$ROUTER"; then
        docker run -d --name "$ROUTER" --hostname home-router --label "$LABEL" --cap-add NET_ADMIN \
            --sysctl net.ipv4.ip_forward=1 --network "$NET_HOME" --ip "$ROUTER_HOME_V4" \
            "$CLIENT_IMAGE" sleep infinity
        docker network connect --ip "$ROUTER_V4" "$NET_INTERNET" "$ROUTER"
        made+=("$ROUTER")
    elif [ "$(docker inspect -f '{{.State.Running}}' "$ROUTER")" != true ]; then
        docker start "$ROUTER"
        made+=("$ROUTER (restarted)")
    fi
    # The phone's UDP goes nowhere, as on networks that allow only web traffic: its profile's
    # second remote (TCP 443) is what connects it.
    docker exec -i "$ROUTER" nft -f - <<NFT
table ip home_nat
delete table ip home_nat
table ip home_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr $HOME_V4 ip daddr != $HOME_V4 masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ip saddr $PHONE_V4 meta l4proto udp drop
	}
}
NFT
    if [ "${#made[@]}" = 0 ]; then
        note "all running ($SERVER, $TARGET, $TARGET4, $DNS, $ROUTER)"
    else
        note "created ${made[*]}"
    fi
}

# --- phase 4: site.yml ----------------------------------------------------------------------
# The mode the lab's server was last set up in (`up` records it): `run` keeps to it, so that a
# playbook run on an IPv6-only lab does not switch it back.
lab_mode() { cat "$LAB_STATE/mode" 2>/dev/null || echo default; }
mode_vars() { [ "$1" = default ] || printf '%s\n' -e "@$IPV6_ONLY_VARS"; }

ansible_lab() {
    # ansible_lab PLAYBOOK [ARGS...]: the lab's inventory and vars (those of the lab's mode too),
    # then the caller's own arguments (a later -e wins). lab_id/lab_net: lab/inventory.yml derives
    # the stand-in's name and addresses from them.
    local playbook="$1" mode_args; shift
    mapfile -t mode_args < <(mode_vars "$(lab_mode)")
    timeout "$SITE_TIMEOUT" "$VENV/bin/ansible-playbook" -i lab/inventory.yml "$playbook" \
        -e @lab/vars.yml "${mode_args[@]}" -e "lab_id=$LAB_ID" -e "lab_net=$LAB_NET" \
        -e "endpoint_url=$(emulator_url)" -e "openvpn_client_profile_dir=$LAB_STATE/clients" \
        -e "ec2_private_key_file=$LAB_STATE/lab-key.pem" "$@"
}

# A phase's playbook, with the JSON callback: its result goes beside the phase log (N-name.json,
# mode 0600), an account of it (a line per task and host) into the log; a failed run names its
# failing task, host and message.
playbook_json() { echo "${PHASE_LOG%.log}.json"; }
run_playbook() {
    local json rc=0
    json="$(playbook_json)"
    (umask 077; ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible_lab "$1" > "$json") || rc=$?
    lab_report playbook "$json" --returncode "$rc" --timeout "$SITE_TIMEOUT" --problem "$LAB_STATE/.problem"
}

site() {
    emulator_alive || { echo "the emulator is not running (phase 2)"; return 1; }
    echo "$LAB_MODE" > "$LAB_STATE/mode"
    run_playbook playbooks/site.yml
    local changed how=""
    changed="$(lab_report changed "$(playbook_json)")"
    [ "$LAB_MODE" = default ] || how=" (IPv6-only mode, $IPV6_ONLY_VARS)"
    if [ "$changed" = 0 ]; then
        note "converged, nothing changed$how"
    else
        note "$changed changed$how"
    fi
}

# --- phase 5: client ------------------------------------------------------------------------
# Up: tun0 has its IPv6 address and OpenVPN has set the routes (its log says so once they are).
tunnel_up() {
    local log
    log="$(docker logs "$1" 2>&1)"
    docker exec "$1" ip -6 -o addr show dev tun0 scope global | grep -q inet6 \
        && grep -q 'Initialization Sequence Completed' <<<"$log"
}

# connect CONTAINER NAME ADDRESS: CONTAINER (hostname NAME) at ADDRESS on "home" runs OpenVPN with
# NAME's profile; kept while the profile and the server's mode are unchanged and its tunnel is up.
# CONNECTED says which it was.
CONNECTED=""
connect() {
    local container="$1" name="$2" address="$3" profile="$LAB_STATE/clients/$2.ovpn" sum have
    [ -s "$profile" ] || { echo "site.yml left no profile at $profile"; ls -la "$LAB_STATE/clients" || true; return 1; }
    # The profile and the server's mode: a switched server pushes other options, so the client
    # connects afresh rather than waiting to notice.
    sum="$(sha256sum "$profile" | cut -c1-16) $LAB_MODE"
    have="$(docker inspect -f '{{ index .Config.Labels "org.v6vpn.lab.profile" }}' "$container" 2>/dev/null || true)"
    if [ "$have" = "$sum" ] && [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] && tunnel_up "$container"; then
        CONNECTED="connected already (profile and mode unchanged)"
        return 0
    fi
    docker rm -f "$container" >/dev/null 2>&1 || true
    # On "home" only, behind its router: IPv6 is switched on but its only IPv6 is what the tunnel
    # brings. The up script (lab/images/client/v6vpn-lab-up) records the pushed options and
    # applies the pushed resolvers, as NetworkManager or systemd-resolved would on a desktop.
    docker run -d --name "$container" --hostname "$name" --label "$LABEL" --label "org.v6vpn.lab.profile=$sum" \
        --cap-add NET_ADMIN --device /dev/net/tun \
        --sysctl net.ipv6.conf.all.disable_ipv6=0 --sysctl net.ipv6.conf.default.disable_ipv6=0 \
        --network "$NET_HOME" --ip "$address" \
        -v "$profile:/etc/openvpn/client/lab.ovpn:ro" \
        "$CLIENT_IMAGE" sh -c 'ip route replace default via "$1" && exec openvpn --config /etc/openvpn/client/lab.ovpn \
            --script-security 2 --up /usr/local/sbin/v6vpn-lab-up' client "$ROUTER_HOME_V4"
    if ! wait_for "$TUNNEL_TIMEOUT" "the tunnel to come up in $container" tunnel_up "$container"; then
        docker logs --tail 40 "$container" 2>&1
        return 1
    fi
    CONNECTED="connected with $(rel "$profile")"
}

# The laptop connects over UDP; the phone's UDP is dropped by the router, so it must end up on
# the TCP 443 server (its log names the remote it connected to).
client() {
    local laptop
    connect "$CLIENT" "$CLIENT_NAME" "$CLIENT_V4"
    laptop="$CONNECTED"
    connect "$PHONE" "$PHONE_NAME" "$PHONE_V4"
    # Read the whole log first: `docker logs | grep -q` fails under pipefail when grep stops early.
    local log
    log="$(docker logs "$PHONE" 2>&1)"
    if ! grep -q "TCP connection established with \[AF_INET\]$SERVER_V4:443" <<<"$log"; then
        echo "$PHONE did not connect over TCP 443:"
        tail -n 40 <<<"$log"
        return 1
    fi
    note "$CLIENT_NAME over UDP 1194 $laptop; $PHONE_NAME over TCP 443 (its router drops UDP) ${CONNECTED%% with *}"
}

# --- phase 6: proof -------------------------------------------------------------------------
# What the client and the target print, handed to lab/report.py, which checks it (real packets
# through tun0: ping6 replies counted, the source the target saw) and writes proof.json.

# The IPv6-only mode's commands, each output (stdout and stderr; a failing command is for the
# proof to judge) to a file of DIR named after it, which lab/proof.py reads.
IPV6_ONLY_OUTPUTS="$LAB_STATE/proof-ipv6-only"
in_client() { docker exec "$CLIENT" "$@"; }
capture() { local name="$1"; shift; "$@" > "$IPV6_ONLY_OUTPUTS/$name.txt" 2>&1 || true; }
# curl by name: the body, then the address it connected to.
http_by_name() { in_client curl -sS --max-time 10 -w '\nremote %{remote_ip}\n' "http://$1/"; }
# An IPv4-literal TCP connect, bounded by 5 s: how it ended (bash's error names the errno) and
# how long it took.
connect_ipv4() {
    # shellcheck disable=SC2016  # expanded by bash in the client
    in_client bash -c 'start=$(date +%s%N); timeout 5 bash -c "exec 3<>/dev/tcp/$1/80"; rc=$?
        echo "exit $rc after $((($(date +%s%N) - start) / 1000000)) ms"' connect "$1"
}
ipv6_only_outputs() {
    rm -rf "$IPV6_ONLY_OUTPUTS"
    mkdir -p "$IPV6_ONLY_OUTPUTS"
    capture tun4-routes in_client ip -4 route show dev tun0
    capture route4 in_client ip -4 route get "$TARGET4_V4"
    capture pushed in_client cat /run/v6vpn-pushed-options
    capture resolv in_client cat /etc/resolv.conf
    capture ahosts-ipv4-only in_client getent ahosts "$NAME_V4ONLY"
    capture ahosts-ipv6-only in_client getent ahosts "$NAME_V6ONLY"
    capture ahosts-dual-stack in_client getent ahosts "$NAME_DUAL"
    capture http-ipv4-only http_by_name "$NAME_V4ONLY"
    capture http-ipv6-only http_by_name "$NAME_V6ONLY"
    capture connect-ipv4 connect_ipv4 "$TARGET4_V4"
    capture target4-log docker logs --tail 200 "$TARGET4"
    capture dns-log docker logs --tail 200 "$DNS"
    head -n 50 "$IPV6_ONLY_OUTPUTS"/*.txt
}

proof() {
    local ping mode_args=()
    ping="$(docker exec "$CLIENT" ping -6 -n -c 3 -i 0.3 -W 2 "$TARGET_V6" 2>&1)" || true
    echo "$ping"
    if [ "$LAB_MODE" = ipv6-only ]; then
        ipv6_only_outputs
        mode_args=(--ipv6-only "$IPV6_ONLY_OUTPUTS" --target4 "$TARGET4_V4" --domain "$LAB_DOMAIN")
    fi
    lab_report proof --out "$LAB_STATE/proof.json" --problem "$LAB_STATE/.problem" \
        --site "$SITE_JSON" --client "$CLIENT" --profile "$(rel "$LAB_STATE/clients/$CLIENT_NAME.ovpn")" \
        --target "$TARGET_V6" --server-v6 "$SERVER_V6" --server-v4 "$SERVER_V4" \
        --tun4 "$(docker exec "$CLIENT" ip -4 -o addr show dev tun0)" \
        --tun6 "$(docker exec "$CLIENT" ip -6 -o addr show dev tun0 scope global)" \
        --route "$(docker exec "$CLIENT" ip -6 route get "$TARGET_V6")" \
        --ping "$ping" \
        --body "$(docker exec "$CLIENT" curl -6 -fsS --max-time 10 "http://[$TARGET_V6]/")" \
        --target-log "$(docker logs --tail 200 "$TARGET" 2>&1)" "${mode_args[@]}"
    if [ "$LAB_MODE" = ipv6-only ]; then
        note "IPv6 through the tunnel works; no IPv4 path; IPv4-only hosts by name through NAT64 + DNS64"
    else
        note "IPv6 through the tunnel works"
    fi
}

cmd_up() {
    mkdir -p "$LOGS"
    rm -rf "$LAB_STATE/proof.json" "$LAB_STATE/proof-ipv6-only"
    PHASE_TOTAL=6
    echo "lab: $LAB_ID (state and logs in $(rel "$LAB_STATE"))$( [ "$LAB_MODE" = default ] || echo ", IPv6-only mode (LAB_IPV6_ONLY=1: $IPV6_ONLY_VARS)")"
    phase prerequisites "venv, collections, Docker engine, images" prerequisites
    phase emulator "EC2 API emulator on loopback" start_emulator
    phase containers "networks, stand-in instance, targets, DNS, home router" containers
    SITE_JSON="$LOGS/$((PHASE_NO + 1))-site.yml.json"
    phase site.yml "playbooks/site.yml: network + ec2 (emulator), openvpn (stand-in)" site
    phase client "VPN clients with the fetched profiles: laptop over UDP, phone over TCP 443" client
    if [ "$LAB_MODE" = ipv6-only ]; then
        phase proof "an IPv6-only client: IPv6, NAT64, DNS64, no IPv4" proof
    else
        phase proof "IPv6 from an IPv4-only client" proof
    fi
    echo ""
    lab_report summary "$SITE_JSON" --endpoint "$(emulator_url)" --deployment "$VPN_NAME" --stand-in "$SERVER_V4"
    echo ""
    lab_report show-proof "$LAB_STATE/proof.json"
    echo ""
    echo "Client profiles: $(rel "$LAB_STATE/clients")/"
    if [ "$LAB_MODE" = default ]; then
        echo "The IPv6-only mode (NAT64 + DNS64): LAB_IPV6_ONLY=1 scripts/lab.sh up"
    else
        echo "Back to the default mode: scripts/lab.sh up"
    fi
    echo "Stop it and remove everything: make lab-down"
}

# --- down -----------------------------------------------------------------------------------
teardown() {
    # A live emulator may be slow to answer on a loaded machine: give it a bounded while.
    if emulator_alive && wait_for 30 "the emulator to answer" emulator_answers; then
        run_playbook playbooks/teardown.yml
        lab_report leftovers --endpoint "$(emulator_url)" --deployment "$VPN_NAME"
        note "teardown.yml removed every resource of the deployment"
    else
        note "no emulator running: nothing to tear down on the AWS side"
    fi
}

remove_containers() {
    docker_ok || { note "no Docker engine: no containers"; return 0; }
    local ids nets
    mapfile -t ids < <(docker ps -aq --filter "label=$LABEL")
    [ "${#ids[@]}" = 0 ] || docker rm -f -v "${ids[@]}"
    mapfile -t nets < <(docker network ls -q --filter "label=$LABEL")
    [ "${#nets[@]}" = 0 ] || docker network rm "${nets[@]}"
    if [ -n "$(docker ps -aq --filter "label=$LABEL")$(docker network ls -q --filter "label=$LABEL")" ]; then
        echo "containers or networks labelled $LABEL are still there"
        return 1
    fi
    note "removed ${#ids[@]} containers and ${#nets[@]} networks"
}

# Emulators of this lab: the pid file's, and any process started with this lab's exact pid file
# path (one whose pid file is gone, e.g. after lab/state was deleted by hand).
emulator_pids() {
    { emulator_alive && emulator_pid; pgrep -f -- "tests\.emulator .*--pidfile $LAB_STATE/emulator\.pid" || true; } | sort -u
}

stop_emulator() {
    local pids pid forced=()
    mapfile -t pids < <(emulator_pids)
    if [ "${#pids[@]}" = 0 ]; then
        note "not running"
        return 0
    fi
    for pid in "${pids[@]}"; do
        # `stop` acts on a pid file: one whose file is gone gets it back first.
        [ "$pid" = "$(emulator_pid)" ] || echo "$pid" > "$LAB_STATE/emulator.pid"
        emulator stop --pidfile "$LAB_STATE/emulator.pid" --timeout 10 || forced+=("$pid")
    done
    if [ "${#forced[@]}" = 0 ]; then
        note "stopped (pid ${pids[*]})"
    else
        note "stopped (pid ${pids[*]}; ${forced[*]} killed: no exit within 10s of SIGTERM)"
    fi
}

cmd_down() {
    if [ ! -d "$LAB_STATE" ] && [ -z "$(emulator_pids)" ] \
        && ! { docker_ok && [ -n "$(docker ps -aq --filter "label=$LABEL")$(docker network ls -q --filter "label=$LABEL")" ]; }; then
        echo "lab: $LAB_ID is not running (no $LAB_STATE, no containers or networks labelled $LABEL)"
        return 0
    fi
    mkdir -p "$LOGS"
    PHASE_TOTAL=3
    phase teardown "playbooks/teardown.yml against the emulator" teardown
    phase containers "remove the lab's containers and networks" remove_containers
    phase emulator "stop the emulator" stop_emulator
    rm -rf "$LAB_STATE"
    echo "lab: $LAB_ID is down; nothing left (state $(rel "$LAB_STATE") removed)"
}

cmd_status() {
    echo "lab $LAB_ID, state in $(rel "$LAB_STATE"), mode $(lab_mode)"
    if emulator_alive; then echo "  emulator: running at $(emulator_url) (pid $(emulator_pid))"; else echo "  emulator: not running"; fi
    if docker_ok; then
        docker ps -a --filter "label=$LABEL" --format '  container: {{.Names}} ({{.Status}})'
        docker network ls --filter "label=$LABEL" --format '  network: {{.Name}}'
    else
        echo "  Docker engine: not answering"
    fi
    [ ! -s "$LAB_STATE/proof.json" ] || { echo ""; lab_report show-proof "$LAB_STATE/proof.json"; }
    if emulator_alive && docker_ok && [ "$(docker inspect -f '{{.State.Running}}' "$SERVER" 2>/dev/null)" = true ]; then
        local json="$LOGS/status.json"
        echo ""
        mkdir -p "$LOGS"
        if (umask 077; ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible_lab playbooks/status.yml > "$json"); then
            lab_report status "$json"
        else
            echo "playbooks/status.yml failed; its JSON result: $(rel "$json")"
            return 1
        fi
    fi
}

cmd_run() {
    [ "$#" -ge 1 ] || { echo "usage: $0 run PLAYBOOK [ansible-playbook arguments]" >&2; exit 2; }
    emulator_alive || { echo "lab: $LAB_ID is not up (no emulator): run 'make lab' first" >&2; exit 1; }
    ansible_lab "$@"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    run) shift; cmd_run "$@" ;;
    *) echo "usage: $0 up|down|status|run PLAYBOOK [ARGS]" >&2; exit 2 ;;
esac

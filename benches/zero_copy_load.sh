#!/usr/bin/env bash
# The chapter's file server under load, against nginx, with wrk: issue 17's
# targets, measured the way the issue states them (ours ÷ nginx, rounds
# alternated, medians, same machine).
#
#   benches/zero_copy_load.sh                       # 3 rounds of 5 s per test
#   ROUNDS=5 SECONDS_PER_RUN=10 benches/zero_copy_load.sh
#   SERVERS="threads events nginx" benches/zero_copy_load.sh   # add the first version
#
# What it runs, each server in turn, round by round:
#   1. a 4 KiB file, 64 and 256 keep-alive connections: `wrk -t2 --latency`
#      (req/s, latency percentiles and max, socket errors, non-2xx), then
#      the example's `load` command for the responses each connection got
#      (wrk reports only totals: a server that starves some connections
#      looks fine in its summary);
#   2. 4 clients downloading a 256 MiB file at once (the example's `load`):
#      throughput, and the server's CPU per GiB from /proc/<pid>/stat (ours:
#      the server process; nginx: its worker processes);
#   3. 1,000 idle keep-alive connections held open (the example's `hold`):
#      a new request's latency, and the resident memory per connection
#      (VmRSS of the server process, or of nginx's workers);
#   4. 100 clients that ask for a 64 MiB file and never read (`hold`): a new
#      request's latency before and during.
# Then each target, met or missed.
#
# Not part of `cargo test`. Installs wrk and nginx with apt-get if missing
# (as root, or through sudo). Everything binds to 127.0.0.1 only; nginx runs
# as this script's own child with a configuration in a temp directory; both
# servers are stopped by their process ids, and the directory is removed.
#
# Conditions: ours runs one event loop per CPU (--model events), nginx one
# worker per CPU (`sendfile on; tcp_nopush on; access_log off`); wrk, the
# servers and the kernel share the machine's CPUs, so every figure is a
# ratio on this machine, not a capacity. On a shared machine the spread
# between rounds is printed: read the medians with it.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
SIZE=${SIZE:-256MiB}
IDLE=${IDLE:-1000}
STALLED=${STALLED:-100}
SERVERS=${SERVERS:-"events nginx"}
BASE_PORT=${BASE_PORT:-18491}

cd "$(dirname "$0")/.."

install() {
    echo "$1 is not installed; installing the Debian package" >&2
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >/dev/null
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y "$1" >/dev/null
    fi
}
command -v wrk >/dev/null 2>&1 || install wrk
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || install nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --example zero_copy >/dev/null 2>&1 \
    || cargo build --release --example zero_copy
EXAMPLE=target/release/examples/zero_copy

WORK=$(mktemp -d /tmp/zero-copy-load.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www" "$WORK/tmp"
head -c 4096 /dev/urandom > "$WORK/www/4k.bin"
echo "hello from inside the root" > "$WORK/www/ok.txt"
BYTES=$(numfmt --from=iec-i "${SIZE%B}" 2>/dev/null || numfmt --from=iec "${SIZE%B}")
head -c "$BYTES" /dev/urandom > "$WORK/www/big.bin"
truncate -s 64M "$WORK/www/stall.bin"
chmod 755 "$WORK" "$WORK/www"
chmod 644 "$WORK/www"/*
CPUS=$(nproc)

# Start each server; remember its address and the pids whose CPU and memory count.
declare -A ADDR CPU_PIDS
port=$BASE_PORT
for s in $SERVERS; do
    case $s in
    events|threads)
        "$EXAMPLE" serve --root "$WORK/www" --addr "127.0.0.1:$port" --model "$s" \
            > "$WORK/$s.log" 2>&1 &
        PIDS+=($!)
        CPU_PIDS[$s]=$!
        ;;
    nginx)
        cat > "$WORK/nginx.conf" <<EOF
daemon off;
worker_processes $CPUS;
worker_rlimit_nofile 20000;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    default_type application/octet-stream;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    server {
        listen 127.0.0.1:$port backlog=4096;
        root $WORK/www;
    }
}
EOF
        "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" &
        PIDS+=($!)
        NGINX_PID=$!
        ;;
    *) echo "unknown server $s (events, threads, nginx)" >&2; exit 2 ;;
    esac
    ADDR[$s]="127.0.0.1:$port"
    port=$((port + 1))
done
for s in $SERVERS; do
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://${ADDR[$s]}/ok.txt" && break
        sleep 0.1
    done
    curl -s -o /dev/null "http://${ADDR[$s]}/ok.txt" \
        || { echo "$s did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
done
if [ -n "${NGINX_PID:-}" ]; then
    CPU_PIDS[nginx]=$(cat "/proc/$NGINX_PID/task/$NGINX_PID/children")
fi

# utime + stime of the given pids, in clock ticks.
ticks() {
    local t=0 p
    for p in "$@"; do
        t=$((t + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
    done
    echo "$t"
}
HZ=$(getconf CLK_TCK)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%s..%s", v[1], v[NR] }'; }
# wrk's latency figures in ms.
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }'; }

echo "machine: $CPUS CPUs, $(uname -sr), $("$NGINX" -v 2>&1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
for s in $SERVERS; do echo "server $s: ${ADDR[$s]}"; done
echo "rounds: $ROUNDS, $SECONDS_PER_RUN s per wrk run, servers in turn (the order rotates)"
R="$WORK/results"
mkdir -p "$R"
set -- $SERVERS
N=$#

echo
echo "== 1. a 4 KiB file, keep-alive connections (wrk -t2 --latency)"
for conns in 64 256; do
    for s in $SERVERS; do wrk -t2 -c"$conns" -d1s "http://${ADDR[$s]}/4k.bin" >/dev/null; done
    for round in $(seq 0 $((ROUNDS - 1))); do
        for k in $(seq 0 $((N - 1))); do
            idx=$(( (k + round) % N + 1 ))
            s=${!idx}
            out=$(wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency "http://${ADDR[$s]}/4k.bin")
            rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
            p50=$(awk '$1 == "50%" { print $2 }' <<<"$out" | ms)
            p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | ms)
            max=$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' <<<"$out" | ms)
            errs=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' <<<"$out")
            non2xx=$(awk '/Non-2xx/ { print $5 }' <<<"$out")
            echo "c$conns round $round $s: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms, ${errs:-0} socket errors, ${non2xx:-0} non-2xx"
            echo "$rps" >> "$R/rps-$conns-$s"
            echo "$round $rps" >> "$R/rounds-$conns-$s"
            echo "$max" >> "$R/max-$conns-$s"
            echo $(( ${errs:-0} + ${non2xx:-0} )) >> "$R/fail-$conns-$s"
        done
    done
    echo "-- responses per connection (the example's load command, ${SECONDS_PER_RUN} s each):"
    for s in $SERVERS; do
        "$EXAMPLE" load --addr "${ADDR[$s]}" --path /4k.bin --connections "$conns" \
            --seconds "$SECONDS_PER_RUN" | sed "s/^round 0 /$s /" | grep -v '^median'
    done
    for s in $SERVERS; do
        echo "c$conns $s: median $(median < "$R/rps-$conns-$s") req/s (rounds $(spread < "$R/rps-$conns-$s"))"
    done
done

echo
echo "== 2. 4 clients downloading $SIZE at once (the example's load, bytes counted, not checksummed)"
for s in $SERVERS; do "$EXAMPLE" load --addr "${ADDR[$s]}" --path /big.bin --connections 1 --responses 1 > /dev/null; done
for round in $(seq 0 $((ROUNDS - 1))); do
    for k in $(seq 0 $((N - 1))); do
        idx=$(( (k + round) % N + 1 ))
        s=${!idx}
        t0=$(ticks ${CPU_PIDS[$s]})
        line=$("$EXAMPLE" load --addr "${ADDR[$s]}" --path /big.bin --connections 4 --responses 1 | grep '^round')
        t1=$(ticks ${CPU_PIDS[$s]})
        mibs=$(sed -E 's/.*\(([0-9.]+) MiB\/s\)$/\1/' <<<"$line")
        cpu=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v b="$BYTES" 'BEGIN { printf "%.3f", d / hz / (4 * b / 1073741824) }')
        echo "round $round $s: $mibs MiB/s, server CPU $cpu s per GiB"
        echo "$round $mibs" >> "$R/big-$s"
        echo "$round $cpu" >> "$R/cpu-$s"
    done
done

echo
echo "== 3. $IDLE idle keep-alive connections held open (the example's hold)"
for s in $SERVERS; do
    pids=""
    for p in ${CPU_PIDS[$s]}; do pids="$pids --pid $p"; done
    line=$("$EXAMPLE" hold --addr "${ADDR[$s]}" --idle "$IDLE" $pids)
    echo "$s: $line"
    sed -E 's/.*during: median ([0-9.]+) (ns|µs|ms|s).*/\1 \2/' <<<"$line" \
        | awk '{ v = $1; if ($2 == "ns") v /= 1e6; else if ($2 == "µs") v /= 1e3; else if ($2 == "s") v *= 1e3; print v }' > "$R/idle-ms-$s"
    sed -E 's/.*per idle connection ([0-9.,]+) (B|KiB|MiB).*/\1 \2/' <<<"$line" | tr -d , \
        | awk '{ v = $1; if ($2 == "B") v /= 1024; else if ($2 == "MiB") v *= 1024; print v }' > "$R/idle-kib-$s"
done

echo
echo "== 4. $STALLED clients that never read a 64 MiB file (the example's hold)"
for s in $SERVERS; do
    line=$("$EXAMPLE" hold --addr "${ADDR[$s]}" --stalled "$STALLED")
    echo "$s: $line"
    awk '{ for (i = 1; i <= NF; i++) if ($i == "before" || $i == "median") { v = $(i + 1); u = $(i + 2); sub(/,/, "", u); if (u == "ns") v /= 1e6; else if (u == "µs") v /= 1e3; else if (u == "s") v *= 1e3; print v } }' <<<"$line" \
        | paste -sd' ' | awk '{ d = $2 - $1; if (d < 0) d = 0; print d }' > "$R/stall-ms-$s"
    grep -q " 0 unanswered" <<<"$line" || echo inf > "$R/stall-ms-$s"
done

# Per-round ratio of two result files ("round value" lines), then the median.
ratio() { join <(sort "$1") <(sort "$2") | awk '{ print $2 / $3 }' | median; }
ratio_spread() { join <(sort "$1") <(sort "$2") | awk '{ print $2 / $3 }' | spread; }
verdict() { awk -v v="$1" -v l="$2" -v op="$3" 'BEGIN { if (v == "nan" || v == "") print "not measured"; else if ((op == ">=" && v + 0 >= l) || (op == "<=" && v + 0 <= l)) print "met"; else print "missed" }'; }

echo
echo "== targets (ours = event loops; ratios: medians of per-round ratios, with their range)"
if [[ " $SERVERS " == *" events "* && " $SERVERS " == *" nginx "* ]]; then
    for conns in 64 256; do
        r=$(ratio "$R/rounds-$conns-events" "$R/rounds-$conns-nginx")
        echo "4 KiB, $conns connections: req/s ÷ nginx = $r ($(ratio_spread "$R/rounds-$conns-events" "$R/rounds-$conns-nginx")), target ≥ 1.0: $(verdict "$r" 1.0 '>=')"
        fails=$(paste -sd+ "$R/fail-$conns-events" | bc)
        maxms=$(sort -g "$R/max-$conns-events" | tail -1)
        echo "4 KiB, $conns connections: $fails socket errors + non-2xx, slowest ${maxms} ms, targets 0 and < 1000 ms: $(verdict "$fails" 0 '<=') / $(verdict "$maxms" 999.999 '<=')"
    done
    r=$(ratio "$R/big-events" "$R/big-nginx")
    echo "4 × $SIZE: throughput ÷ nginx = $r ($(ratio_spread "$R/big-events" "$R/big-nginx")), target ≥ 1.0: $(verdict "$r" 1.0 '>=')"
    r=$(ratio "$R/cpu-events" "$R/cpu-nginx")
    echo "4 × $SIZE: CPU per GiB ÷ nginx = $r ($(ratio_spread "$R/cpu-events" "$R/cpu-nginx")), target ≤ 1.0: $(verdict "$r" 1.0 '<=')"
fi
if [[ " $SERVERS " == *" events "* ]]; then
    v=$(cat "$R/idle-ms-events"); echo "$IDLE idle connections: new request median $v ms, target < 10 ms: $(verdict "$v" 9.999 '<=')"
    v=$(cat "$R/idle-kib-events"); echo "$IDLE idle connections: $v KiB resident per connection, target ≤ 16 KiB: $(verdict "$v" 16 '<=')"
    v=$(cat "$R/stall-ms-events"); echo "$STALLED clients that never read: a request delayed by $v ms, target ≤ 10 ms: $(verdict "$v" 10 '<=')"
fi

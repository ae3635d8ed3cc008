#!/usr/bin/env bash
# The chapter's file server against nginx (Debian package, `sendfile on`),
# serving the same file on loopback to the same client: the zero_copy
# example's `get` command, CLIENTS concurrent keep-alive connections, each
# downloading the file once per round, rounds alternating A B A B; prints
# each server's median throughput and the ratio ours / nginx.
#
#   benches/zero_copy_vs_nginx.sh                 # 256 MiB, 4 clients, 5 rounds
#   SIZE=64MiB CLIENTS=8 ROUNDS=9 benches/zero_copy_vs_nginx.sh
#
# The wider comparison (small files, many connections, idle and slow
# clients, CPU per GiB) is benches/zero_copy_load.sh.
#
# Not part of `cargo test`. Installs nginx with apt-get if it is missing
# (as root, or through sudo). Everything else lives in a temp directory that
# is removed at exit, and both servers are stopped by their process ids.
#
# Conditions, so the comparison is fair and stated:
# - both serve the same file from the page cache (one warm-up download each);
# - ours runs one event loop per CPU, nginx `worker_processes auto` (one
#   worker per CPU), each serving many connections with epoll;
# - nginx: sendfile on, tcp_nopush on, tcp_nodelay on, access_log off, and
#   its default sendfile_max_chunk (2 MiB since 1.21.4);
# - client and servers share the machine's CPUs: a ratio, not an absolute.
set -euo pipefail

SIZE=${SIZE:-256MiB}
CLIENTS=${CLIENTS:-4}
ROUNDS=${ROUNDS:-5}
OUR_PORT=${OUR_PORT:-18481}
NGINX_PORT=${NGINX_PORT:-18482}

cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "nginx is not installed; installing the Debian package" >&2
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >/dev/null
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >/dev/null
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --example zero_copy >/dev/null 2>&1 \
    || cargo build --release --example zero_copy
EXAMPLE=target/release/examples/zero_copy

WORK=$(mktemp -d /tmp/zero-copy-vs-nginx.XXXXXX)
OUR_PID=""
NGINX_PID=""
cleanup() {
    [ -n "$OUR_PID" ] && kill "$OUR_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
    [ -n "$OUR_PID" ] && wait "$OUR_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && wait "$NGINX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www" "$WORK/tmp"
BYTES=$(numfmt --from=iec-i "${SIZE%B}" 2>/dev/null || numfmt --from=iec "${SIZE%B}")
head -c "$BYTES" /dev/urandom > "$WORK/www/big.bin"
# nginx's workers run as an unprivileged user when started as root.
chmod 755 "$WORK" "$WORK/www"
chmod 644 "$WORK/www/big.bin"

cat > "$WORK/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
    }
}
EOF

"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" &
NGINX_PID=$!
"$EXAMPLE" serve --root "$WORK/www" --addr "127.0.0.1:$OUR_PORT" \
    > "$WORK/ours.log" 2>&1 &
OUR_PID=$!

# Wait (at most 10 s) until both answer.
for port in "$OUR_PORT" "$NGINX_PORT"; do
    for _ in $(seq 100); do
        curl -s -o /dev/null -r 0-0 "http://127.0.0.1:$port/big.bin" && break
        sleep 0.1
    done
    curl -s -o /dev/null -r 0-0 "http://127.0.0.1:$port/big.bin" \
        || { echo "server on port $port did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
done

echo "machine: $(nproc) CPUs, $(uname -sr), $("$NGINX" -v 2>&1)"
echo "file: $SIZE ($BYTES bytes) in the page cache; $CLIENTS clients; $ROUNDS rounds"
echo "A = ours (127.0.0.1:$OUR_PORT, sendfile, event loops, one per CPU)"
echo "B = nginx (127.0.0.1:$NGINX_PORT, sendfile on, worker_processes auto)"
# Warm-up: the file is read into the page cache and both servers are hot.
"$EXAMPLE" get --addr "127.0.0.1:$OUR_PORT" --addr "127.0.0.1:$NGINX_PORT" \
    --path /big.bin --clients 1 --rounds 1 > /dev/null
"$EXAMPLE" get --addr "127.0.0.1:$OUR_PORT" --addr "127.0.0.1:$NGINX_PORT" \
    --path /big.bin --clients "$CLIENTS" --rounds "$ROUNDS"

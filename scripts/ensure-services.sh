#!/usr/bin/env bash
# Installs the tools the tests use and starts RabbitMQ, Redis and PostgreSQL when they are not
# already answering, so `npm test` passes on a fresh Debian 12 machine. Idempotent.
set -euo pipefail

log() { printf '[ensure-services] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v gdal_translate >/dev/null || missing+=(gdal-bin)
command -v 7z >/dev/null || command -v 7zz >/dev/null || missing+=(7zip)
# headless browser tests (the viewer and dashboard pages) drive Debian's chromium with playwright-core
command -v chromium >/dev/null || missing+=(chromium)
# OCR tests render known text and image_process/image_detect draw labels in DejaVu Sans
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# the Laravel kit's PHP runs in the tests against the service
command -v php >/dev/null || missing+=(php-cli)
php -m 2>/dev/null | grep -x redis >/dev/null || missing+=(php-redis)
php -m 2>/dev/null | grep -x pdo_pgsql >/dev/null || missing+=(php-pgsql)
[ -f /usr/share/php/PhpAmqpLib/autoload.php ] || missing+=(php-amqplib)
# the image's entry command line (tini → node) is run as a process in a test
command -v tini >/dev/null || missing+=(tini)
port_open 5432 || command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
port_open 6379 || command -v redis-server >/dev/null || missing+=(redis-server)
port_open 5672 || command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! port_open 5432; then
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! port_open 6379; then
  log "starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp || true
fi
if ! port_open 5672; then
  log "starting RabbitMQ"
  as_root rabbitmq-server -detached || true
fi

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 90); do port_open "$port" && return 0; sleep 1; done
  log "$name did not come up on port $port"; return 1
}
wait_port 5432 PostgreSQL
wait_port 6379 Redis
wait_port 5672 RabbitMQ
# The broker accepts TCP before it is ready: await_startup right after a detached start needs retries.
if command -v rabbitmqctl >/dev/null; then
  for _ in $(seq 1 30); do as_root rabbitmqctl -q await_startup >/dev/null 2>&1 && break; sleep 2; done
fi
# Trust auth: the test database and a role for whoever runs the tests.
if command -v psql >/dev/null; then
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$(id -un)'\"" 2>/dev/null | grep -q 1 \
    || as_root su postgres -c "psql -qc 'CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN'" >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -d postgres -qc 'CREATE DATABASE test' >/dev/null 2>&1 || true
fi
log "services ready"

#!/usr/bin/env bash
# Installs pgvector into the local PostgreSQL server and makes sure the server runs.
# Debian bookworm ships no pgvector package, so we build it from Debian's source
# package of a newer suite. Idempotent: a second run only checks.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)}"
PG_MAJOR="${PG_MAJOR:-15}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

log() { echo "[setup-postgres] $*"; }

start_server() {
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
      log "starting PostgreSQL ${PG_MAJOR}"
      $SUDO pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start || true
    fi
  fi
  for _ in $(seq 1 30); do
    if pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; then return 0; fi
    sleep 1
  done
  log "PostgreSQL is not accepting connections on ${PG_HOST}:${PG_PORT}"
  return 1
}

pgvector_installed() {
  [ -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]
}

build_pgvector() {
  log "building pgvector from Debian's source package"
  local list=/etc/apt/sources.list.d/oriole-trixie-src.list
  if [ ! -f "$list" ]; then
    echo "deb-src http://deb.debian.org/debian trixie main" | $SUDO tee "$list" >/dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev >/dev/null
  local work
  work="$(mktemp -d)"
  (
    cd "$work"
    apt-get source --download-only pgvector >/dev/null
    tar xzf pgvector_*.orig.tar.gz
    cd "$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
    make -s OPTFLAGS="" PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" >/dev/null
    $SUDO make -s install PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" >/dev/null
  )
  rm -rf "$work"
}

if pgvector_installed; then
  log "pgvector already installed"
else
  build_pgvector
fi
start_server
psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAt \
  -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
log "ready: postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/postgres with pgvector $(
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAt \
    -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"

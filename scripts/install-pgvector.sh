#!/usr/bin/env bash
# Installs the pgvector extension into the local PostgreSQL server when it is missing.
# pgvector is not packaged for this Debian release (bookworm), so we build Debian trixie's source package
# against the server's own headers. Idempotent: does nothing when `vector` is already available.
set -euo pipefail

PGHOST_ARG=${PGHOST:-127.0.0.1}
PGUSER_ARG=${PGUSER:-postgres}

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

major=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
if [ -z "$major" ]; then
  echo "install-pgvector: no PostgreSQL server under /etc/postgresql; nothing to do" >&2
  exit 1
fi
PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config
sharedir=/usr/share/postgresql/$major/extension

if [ -f "$sharedir/vector.control" ]; then
  echo "install-pgvector: vector extension already available for PostgreSQL $major ($(grep default_version "$sharedir/vector.control"))"
  exit 0
fi

echo "install-pgvector: building pgvector for PostgreSQL $major"
export DEBIAN_FRONTEND=noninteractive
if [ ! -x "$PG_CONFIG" ] || [ ! -d "/usr/include/postgresql/$major/server" ]; then
  $SUDO apt-get install -y -q "postgresql-server-dev-$major" >/dev/null
  [ -x "$PG_CONFIG" ] || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "postgresql-server-dev-$major" >/dev/null; }
fi
command -v dpkg-source >/dev/null || $SUDO apt-get install -y -q dpkg-dev >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Reuse the mirror the system already uses; a private source list and state dir leave the system's apt lists untouched.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$work/lists/partial"
echo "deb-src $mirror trixie main" > "$work/sources.list"
aptopts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::State::Lists=$work/lists" -o "APT::Sandbox::User=root")
apt-get "${aptopts[@]}" update -q >/dev/null
(cd "$work" && apt-get "${aptopts[@]}" source --download-only pgvector >/dev/null)
dsc=$(ls "$work"/pgvector_*.dsc | head -n 1)
(cd "$work" && dpkg-source -x "$dsc" src >/dev/null)
make -C "$work/src" PG_CONFIG="$PG_CONFIG" -j"$(nproc)" >/dev/null
$SUDO make -C "$work/src" PG_CONFIG="$PG_CONFIG" install >/dev/null
echo "install-pgvector: installed $(basename "$dsc" .dsc) into PostgreSQL $major"

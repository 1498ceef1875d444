#!/bin/sh
# The production install of Sluice, in one place. The Dockerfile RUNs these steps (one per stage) and
# test/deploy/production-install.test.ts runs this same script, so the image and the test cannot drift.
#
#   deploy/install.sh pack <out-dir>              build and `npm pack` this checkout into <out-dir>/sluice.tgz
#                                                 (needs the dev dependencies: tsc and vite run in `prepare`)
#   deploy/install.sh deps <src-dir> <app-dir>    production dependencies only (`npm ci --omit=dev`) from
#                                                 <src-dir>/package.json and package-lock.json; may need a C++
#                                                 toolchain when no prebuilt better-sqlite3 binary is reachable
#   deploy/install.sh app <tarball> <app-dir>     the packed Sluice over those dependencies; the command is
#                                                 <app-dir>/.bin/sluice (the image puts <app-dir>/.bin on PATH)
#
# `deps` depends only on package.json and the lockfile, so a container build caches it as a layer (and the test
# caches it in a temporary directory) while the code changes.
set -eu

die() {
  echo "install.sh: $*" >&2
  exit 1
}

pack() {
  out=$1
  root=$(cd "$(dirname "$0")/.." && pwd)
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  # `npm pack` runs `prepare` (npm run build): dist/ and renderer/dist/ are built from this checkout.
  name=$(cd "$root" && npm pack --pack-destination "$out" --silent | tail -n 1)
  mv "$out/$name" "$out/sluice.tgz"
  listing=$(tar -tzf "$out/sluice.tgz")
  for required in package/package.json package/bin/sluice.js package/dist/src/cli/main.js \
    package/dist/nodes/catalog.js package/renderer/dist/index.html; do
    echo "$listing" | grep -qx "$required" || die "the packed tarball lacks ${required#package/} (see \"files\" in package.json)"
  done
  if echo "$listing" | grep -qE '^package/(test|bench|node_modules|src|renderer/src)/'; then
    die 'the packed tarball holds sources or tests (see "files" in package.json)'
  fi
  echo "$out/sluice.tgz"
}

deps() {
  src=$1
  app=$2
  mkdir -p "$app"
  cp "$src/package.json" "$src/package-lock.json" "$app/"
  cd "$app"
  # No install script runs except those package.json allows (allowScripts): not Sluice's own `prepare`, which
  # needs the dev dependencies, nor any dependency's that is not listed.
  npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn
  allowed=$(node -p "Object.entries(require('./package.json').allowScripts ?? {}).filter(([, on]) => on).map(([n]) => n).join(' ')")
  present=''
  for name in $allowed; do
    if [ -d "node_modules/$name" ]; then present="$present $name"; fi
  done
  # shellcheck disable=SC2086 # one argument per package name
  if [ -n "$present" ]; then npm rebuild $present --no-audit --no-fund --loglevel=warn; fi
  # The native module must load here, where it will run, not only have built.
  node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" ||
    die 'better-sqlite3 does not load in the production install'
}

app() {
  tarball=$1
  app=$2
  [ -d "$app/node_modules" ] || die "$app has no node_modules: run 'install.sh deps' first"
  tar -xzf "$tarball" -C "$app" --strip-components=1 --no-same-owner
  cd "$app"
  # The dependencies were installed from the same package.json and lockfile: refuse a tarball that needs others.
  npm ls --omit=dev --depth=0 >/dev/null || die 'the dependencies do not match the packed package.json'
  chmod 0755 bin/sluice.js
  mkdir -p .bin
  ln -sf ../bin/sluice.js .bin/sluice
}

[ $# -ge 1 ] || die 'usage: install.sh pack <out-dir> | deps <src-dir> <app-dir> | app <tarball> <app-dir>'
step=$1
shift
case "$step" in
pack) [ $# -eq 1 ] || die 'usage: install.sh pack <out-dir>'; pack "$1" ;;
deps) [ $# -eq 2 ] || die 'usage: install.sh deps <src-dir> <app-dir>'; deps "$1" "$2" ;;
app) [ $# -eq 2 ] || die 'usage: install.sh app <tarball> <app-dir>'; app "$1" "$2" ;;
*) die "unknown step '$step'" ;;
esac

#!/usr/bin/env bash
# Prepares a machine to run redsqs and its tests. Safe to run again: it only does what is missing.
#   - npm dependencies, exactly as package-lock.json pins them
#   - redis-server, if it is not on PATH (Debian/Ubuntu apt, or Homebrew on macOS)
#   - on Debian/Ubuntu, the packages python3-boto3 and awscli if missing: the client-generation
#     tests run them (Debian 12's still speak SQS's query protocol)
#   - on Debian/Ubuntu, the package chromium if missing: the dashboard's browser test drives it
#   - the build (dist/): npm's `prepare` script when it installs, else `npm run build`
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

if ! command -v node >/dev/null 2>&1; then
  say "Node.js 20 or newer is required: https://nodejs.org/ (or your package manager)"; exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then say "Node.js 20 or newer is required (found $(node --version))"; exit 1; fi

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

if command -v redis-server >/dev/null 2>&1; then
  say "redis-server found: $(redis-server --version | head -n 1)"
else
  if command -v apt-get >/dev/null 2>&1; then
    say "installing redis-server with apt-get"
    apt_install redis-server
    # The Debian package starts a system service; redsqs runs its own instance, so it is not needed.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      $sudo systemctl disable --now redis-server >/dev/null 2>&1 || true
    fi
  elif command -v brew >/dev/null 2>&1; then
    say "installing redis with Homebrew"
    brew install redis
  else
    say "redis-server is missing and no known package manager was found."
    say "Install Redis 6.2 or newer so that 'redis-server' is on PATH, or run redsqs with REDIS_URL=redis://host:6379."
    exit 1
  fi
fi

# The client-generation tests run a scenario with every boto3 and AWS CLI they find; CI requires
# the Debian packages (for /usr/bin/python3 and /usr/bin/aws). Elsewhere they are optional.
if command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  missing=""
  for pkg in python3-boto3 awscli; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then missing="$missing $pkg"; fi
  done
  if [ -z "$missing" ]; then
    say "python3-boto3 and awscli found (for the client-generation tests)"
  else
    say "installing$missing with apt-get (for the client-generation tests)"
    # shellcheck disable=SC2086
    apt_install $missing || say "could not install$missing: those client-generation tests are skipped (CI fails them)"
  fi
else
  command -v aws >/dev/null 2>&1 || say "no AWS CLI: its client-generation test is skipped (Homebrew: brew install awscli)"
  python3 -c 'import boto3' >/dev/null 2>&1 ||
    say "no boto3 for python3: its client-generation test is skipped (pip install boto3 if you want it run)"
fi

# The dashboard's browser test drives Debian's Chromium (/usr/bin/chromium) with playwright-core,
# which downloads no browser. Without it that test is skipped (CI fails it).
if [ -x /usr/bin/chromium ]; then
  say "chromium found (for the dashboard's browser test)"
elif command -v apt-get >/dev/null 2>&1; then
  say "installing chromium with apt-get (for the dashboard's browser test)"
  apt_install chromium || say "could not install chromium: the dashboard's browser test is skipped (CI fails it)"
else
  say "no /usr/bin/chromium: the dashboard's browser test is skipped (it drives Debian's chromium package)"
fi

# `npm install --no-save` installs exactly what package-lock.json pins, like `npm ci`, but keeps an
# up-to-date node_modules instead of deleting it first, so running setup again is quick. It also runs
# the package's `prepare` script, which builds dist/; only when it did not run is the build needed.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies and building"
  npm install --no-save --no-audit --no-fund --loglevel=error
  # With ignore-scripts set in an npmrc, npm skipped `prepare`.
  if [ "$(npm config get ignore-scripts)" = "true" ]; then npm run build --silent; fi
else
  say "npm dependencies are up to date; building"
  npm run build --silent
fi
say "done: 'npm start' runs the service on port 9324, 'npm test' runs the tests"

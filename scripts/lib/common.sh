# Shared by scripts/run, scripts/test and scripts/bench: installs what is missing, builds, and
# renders the local nginx configuration. Source it from the repository root.

# Debian packages the product needs to build and run (C libraries with their headers, nginx).
RUNTIME_PACKAGES=(pkg-config libfcgi-dev libsodium-dev libcurl4-openssl-dev libsqlite3-dev libqrencode-dev nginx curl)
# What the tests need on top: Python for the end-to-end suite, rsvg-convert to rasterise QR codes,
# systemd-analyze to check the units.
TEST_PACKAGES=(python3 python3-venv librsvg2-bin systemd chromium chromium-driver)
# What the benchmark needs on top.
BENCH_PACKAGES=(wrk python3 python3-venv)

# A demo wallet, vault and foundation address (base58 of SHA-256 of "demo-wallet" etc.; nobody
# holds their keys).
DEMO_WALLET=H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG
DEMO_VAULT=FFQrvAEPEto87rYd6BmBPdfKCYxWVqrceaDdbKjeZGC1
DEMO_FOUNDATION=4YhsE8c2tM9Z4eRNAHue5ELgSbhNVy78HnFTz6TztGaw

log() { printf '==> %s\n' "$*" >&2; }

# ensure_apt PACKAGE...: installs the packages that are not installed yet (apt-get update once).
ensure_apt() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { log "missing packages: ${missing[*]} (run as root or install them)"; return 1; }
        sudo=(sudo)
    fi
    log "installing ${missing[*]}"
    if [ -z "${APT_UPDATED:-}" ]; then
        "${sudo[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv: a virtualenv under .venv with Tests/e2e/requirements.txt installed (again only when
# that file changed).
ensure_venv() {
    local requirements=Tests/e2e/requirements.txt stamp=.venv/.requirements
    if [ ! -x .venv/bin/python ]; then
        log "creating .venv"
        python3 -m venv .venv
    fi
    if ! cmp -s "$requirements" "$stamp"; then
        log "installing Python test packages"
        .venv/bin/pip install -q --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$stamp"
    fi
}

# render_nginx DIR PORT SOCKET [ACCESS_LOG]: writes DIR/nginx.conf and copies the site snippets
# beside it, so nginx resolves its includes from DIR. Run from the repository's root.
render_nginx() {
    local dir=$1 port=$2 socket=$3 access_log=${4:-$1/access.log} user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    mkdir -p "$dir/tmp"
    cp nginx/fcgi-referral-pass.conf nginx/fcgi-referral-panel.conf "$dir/"
    # The panel is served from the checkout instead of where an install puts it.
    sed "s|/usr/local/share/fcgi-referral/referral/|$PWD/web/referral/|" nginx/fcgi-referral-site.conf \
        > "$dir/fcgi-referral-site.conf"
    sed -e "s|@USER@|$user|" -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@SOCKET@|$socket|g" -e "s|@ACCESS_LOG@|$access_log|g" \
        nginx/local.conf.template > "$dir/nginx.conf"
}

# wait_for_socket PATH PID: waits until the responder listens on PATH, or fails if PID died.
wait_for_socket() {
    local path=$1 pid=$2 tries
    for tries in $(seq 1 100); do
        [ -S "$path" ] && return 0
        kill -0 "$pid" 2>/dev/null || { log "the responder exited during start-up"; return 1; }
        sleep 0.1
    done
    log "the responder did not open $path"
    return 1
}

# stop_children PID...: stops processes this shell started. SIGTERM first: nginx's master then
# stops its workers, which SIGKILL would leave running (holding the port and any pipe the script's
# output goes to); whatever is still there after 5 s is killed.
stop_children() {
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || true
    (sleep 5 && kill -KILL "$@" 2>/dev/null) &
    local killer=$!
    wait "$@" 2>/dev/null || true
    kill "$killer" 2>/dev/null || true
    wait "$killer" 2>/dev/null || true
}

#!/usr/bin/env bash
# Installs what facescan needs on Debian/Ubuntu, only what is missing; quick when nothing is.
#   scripts/install-deps.sh          build and run: FFmpeg, SQLite and FreeType development libraries, the
#                                    DejaVu font (the text `facescan draw` writes), pkg-config, pip
#   scripts/install-deps.sh --test   also what the test suite uses: the ffmpeg CLI (to make test videos), jq,
#                                    opencv-doc (photos with faces), util-linux's setpriv, GNU time, the
#                                    PostgreSQL server (scripts/with-postgres.sh starts a private one; the
#                                    package's own cluster on port 5432 is not used); from PyPI botocore,
#                                    pytest, boto3 and awscli
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
set -euo pipefail

want=(libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libsqlite3-dev libfreetype-dev fonts-dejavu-core pkg-config)
if [ "${1:-}" = "--test" ]; then
    want+=(ffmpeg opencv-doc util-linux jq time postgresql)
fi
python3 -m pip --version >/dev/null 2>&1 || want+=(python3-pip)

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "install-deps: installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "install-deps: missing Debian packages: ${missing[*]}" >&2
        echo "install-deps: run: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

# PyPI packages the tests use: botocore (the Rekognition service model the shape checker reads),
# pytest (the shape checker's own tests and the endpoint's), and boto3 and awscli (the real clients the
# endpoint tests drive `facescan serve` with).
pip_install() {
    python3 -m pip install -q --disable-pip-version-check "$@" 2>/dev/null \
        || python3 -m pip install -q --disable-pip-version-check --break-system-packages "$@" 2>/dev/null
}
if [ "${1:-}" = "--test" ]; then
    for module in botocore pytest boto3 awscli; do
        python3 -c "import $module" 2>/dev/null && continue
        echo "install-deps: installing $module from PyPI"
        pip_install "$module" \
            || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python3-$module" >/dev/null; } \
            || { echo "install-deps: cannot install $module; run: python3 -m pip install --user $module" >&2; exit 1; }
    done
fi
exit 0

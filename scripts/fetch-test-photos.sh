#!/usr/bin/env bash
# Fetches the test photos that a PyPI package ships: scikit-image 0.26.0's astronaut.png (Eileen
# Collins, NASA, public domain; a frontal face) and camera.png (the cameraman: a face turned aside,
# mouth closed). `make test` runs it. Only the two files are kept, verified against pinned SHA-256,
# in ${XDG_CACHE_HOME:-~/.cache}/facescan/test-photos (FACESCAN_TEST_PHOTOS overrides).
set -euo pipefail
dir=${FACESCAN_TEST_PHOTOS:-${XDG_CACHE_HOME:-$HOME/.cache}/facescan/test-photos}
declare -A sums=(
    [astronaut.png]=88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
    [camera.png]=b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a
)
ok=1
for f in "${!sums[@]}"; do
    [ -f "$dir/$f" ] && echo "${sums[$f]}  $dir/$f" | sha256sum -c --status || ok=0
done
[ $ok -eq 1 ] && exit 0
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-test-photos: downloading scikit-image 0.26.0 (for two of its sample photos) with pip"
python3 -m pip download -q --no-deps --disable-pip-version-check --only-binary=:all: scikit-image==0.26.0 -d "$work"
python3 - "$work" "$dir" <<'PY'
import glob, os, sys, zipfile
work, dst = sys.argv[1:3]
z = zipfile.ZipFile(glob.glob(os.path.join(work, "*.whl"))[0])
for name in ("astronaut.png", "camera.png"):
    data = z.read("skimage/data/" + name)
    tmp = os.path.join(dst, "." + name)
    open(tmp, "wb").write(data)
    os.replace(tmp, os.path.join(dst, name))
PY
for f in "${!sums[@]}"; do
    echo "${sums[$f]}  $dir/$f" | sha256sum -c --status || { echo "fetch-test-photos: $f does not match its pinned SHA-256" >&2; exit 1; }
done

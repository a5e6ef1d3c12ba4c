#!/usr/bin/env bash
# Makes README's two `facescan draw` pictures (docs/draw-timeline.png, docs/draw-contact-sheet.png) from a
# video this script makes of photos that packages ship: scikit-image's astronaut (Eileen Collins) and
# cameraman, opencv-doc's messi5.jpg; the collection is the astronaut and messi. Needs the ffmpeg CLI and a
# built facescan (FACESCAN, default .build-test/release/facescan) with its models.
set -euo pipefail
cd "$(dirname "$0")/.."
facescan=${FACESCAN:-.build-test/release/facescan}
photos=${FACESCAN_TEST_PHOTOS:-${XDG_CACHE_HOME:-$HOME/.cache}/facescan/test-photos}
messi=/usr/share/doc/opencv-doc/examples/data/messi5.jpg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/known"
cp "$photos/astronaut.png" "$work/known/eileen collins.png"
cp "$messi" "$work/known/messi.jpg"
# 2 s astronaut, 2 s messi, 2 s cameraman, 2 s astronaut again (mirrored), 640x360 at 25 fps.
ffmpeg -loglevel error -y \
    -loop 1 -t 2 -i "$photos/astronaut.png" -loop 1 -t 2 -i "$messi" -loop 1 -t 2 -i "$photos/camera.png" -loop 1 -t 2 -i "$photos/astronaut.png" \
    -filter_complex "[0:v]scale=360:360,pad=640:360:140:0,setsar=1,fps=25[a];[1:v]scale=-2:360,pad=640:360:(ow-iw)/2:0,setsar=1,fps=25[b];[2:v]scale=360:360,pad=640:360:140:0,setsar=1,fps=25,format=yuv420p[c];[3:v]hflip,scale=300:300,pad=640:360:40:30,setsar=1,fps=25[d];[a][b][c][d]concat=n=4:v=1:a=0,format=yuv420p[v]" \
    -map "[v]" -c:v libx264 -pix_fmt yuv420p "$work/people.mp4"
"$facescan" --quiet search --collection "$work/known" "$work/people.mp4" > "$work/search.json"
"$facescan" --quiet draw "$work/people.mp4" --result "$work/search.json" --collection "$work/known" \
    --timeline docs/draw-timeline.png --contact-sheet docs/draw-contact-sheet.png > /dev/null
echo "wrote docs/draw-timeline.png and docs/draw-contact-sheet.png"

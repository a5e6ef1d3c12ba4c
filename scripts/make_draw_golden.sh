#!/usr/bin/env bash
# Regenerates the timeline golden of Tests/FaceScanTests/DrawTests.swift: the hand-written search result
# Tests/FaceScanTests/Goldens/draw/timeline-result.json (three people over 3 s) drawn for
# SampleVideos/face-zoom.mp4. Look at the picture before committing it: the test only checks that the
# drawing stays what it was when someone looked.
set -euo pipefail
cd "$(dirname "$0")/.."
facescan=${FACESCAN:-.build-test/release/facescan}
dir=Tests/FaceScanTests/Goldens/draw
"$facescan" --quiet draw SampleVideos/face-zoom.mp4 --result "$dir/timeline-result.json" --timeline "$dir/timeline.png" > /dev/null
echo "wrote $dir/timeline.png"

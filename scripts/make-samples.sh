#!/usr/bin/env bash
# Regenerates the videos in SampleVideos/ from photos that Debian's opencv-doc package ships
# (/usr/share/doc/opencv-doc/examples/data), with the ffmpeg CLI. `make samples` runs it.
# The output is deterministic for one FFmpeg version (single-threaded x264, fixed settings).
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/doc/opencv-doc/examples/data
out=SampleVideos
for f in messi5.jpg fruits.jpg; do
    [ -f "$data/$f" ] || { echo "make-samples: $data/$f is missing: apt-get install opencv-doc" >&2; exit 1; }
done
command -v ffmpeg >/dev/null || { echo "make-samples: ffmpeg is missing: apt-get install ffmpeg" >&2; exit 1; }
mkdir -p "$out"
x264=(-c:v libx264 -preset slow -crf 30 -pix_fmt yuv420p -threads 1 -movflags +faststart -an -map_metadata -1 -fflags +bitexact)
ff() { ffmpeg -nostdin -v error -y "$@"; }

# 1. face-zoom.mp4: one face moving and changing size. The camera starts on the whole of messi5.jpg
#    (the face is about 45 px high) and zooms in on the face over 6 s (to about 300 px), drifting.
ff -loop 1 -framerate 25 -i "$data/messi5.jpg" -vf \
  "crop=548:308:0:0,scale=2192:1232,zoompan=z='min(1+on*0.035,5.5)':x='max(0,min(iw-iw/zoom,960-iw/zoom/2+40*sin(on/20)))':y='max(0,min(ih-ih/zoom,440-ih/zoom/2))':d=1:s=640x360:fps=25" \
  -frames:v 150 "${x264[@]}" "$out/face-zoom.mp4"

# 2. several-faces.mp4: three faces at once (the same face from messi5.jpg at three sizes, one mirrored),
#    drifting across a blurred copy of the photo for 4 s.
ff -loop 1 -framerate 25 -i "$data/messi5.jpg" -filter_complex \
  "[0:v]crop=548:308:0:0,scale=640:360,boxblur=8[bg];
   [0:v]crop=110:110:185:45,split=3[a][b][c];
   [a]scale=170:170[a1];[b]scale=110:110,hflip[b1];[c]scale=80:80[c1];
   [bg][a1]overlay=x='30+15*t':y=90[t1];[t1][b1]overlay=x='300-10*t':y=40[t2];[t2][c1]overlay=x=470:y='220-12*t'" \
  -frames:v 100 "${x264[@]}" "$out/several-faces.mp4"

# 3. phone-rotated.mp4: a portrait (360x640) shot stored the way phones store it: landscape frames
#    (640x360) plus a display matrix that turns them upright. Players, and facescan, show it upright.
ff -loop 1 -framerate 25 -i "$data/messi5.jpg" -vf \
  "crop=190:338:145:0,scale=720:1280,zoompan=z='1+on*0.004':x='iw/2-iw/zoom/2':y='ih/4-ih/zoom/4':d=1:s=360x640:fps=25,transpose=clock" \
  -frames:v 75 "${x264[@]}" "$out/.portrait-stored.mp4"
ff -i "$out/.portrait-stored.mp4" -c copy -metadata:s:v:0 rotate=90 -movflags +faststart -fflags +bitexact "$out/phone-rotated.mp4"
rm -f "$out/.portrait-stored.mp4"

# 4. no-face.mp4: a slow pan over fruits.jpg for 3 s; nothing in it is a face.
ff -loop 1 -framerate 25 -i "$data/fruits.jpg" -vf \
  "scale=1024:-2,crop=640:360:'min(iw-640,t*60)':40" \
  -frames:v 75 "${x264[@]}" "$out/no-face.mp4"

ls -l "$out"
du -cb "$out"/*.mp4 | tail -n 1

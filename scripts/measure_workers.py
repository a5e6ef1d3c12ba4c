#!/usr/bin/env python3
"""How many workers, how fast: one face-detection job on a shared PostgreSQL store, run by 1, 2 and 3
`facescan worker --drain` processes at once, against `facescan detect` of the same video in one process.

Prints, for each: the wall time from start to SUCCEEDED, the speed-up over one worker, and the CPU
time (user + system, all processes) per second of video, which is what adding machines divides.
README's table in "Running on many machines" comes from this script.

Run under scripts/with-postgres.sh (or with FACESCAN_TEST_POSTGRES naming a server):
  scripts/with-postgres.sh python3 scripts/measure_workers.py [--bin .build/release/facescan]
      [--segment-seconds 10] [--minutes 1] [VIDEO]
--pin runs each worker on one core (taskset), as machines of one core each, so that the speed-up of
adding machines shows on one machine. Without VIDEO it makes one: ../shared/data/videos/portrait_vertical_720x1280.mp4 looped to --minutes.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def rusage_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_json(argv, env):
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("video", nargs="?")
    ap.add_argument("--bin", default=str(REPO / ".build" / "release" / "facescan"))
    ap.add_argument("--segment-seconds", type=int, default=10)
    ap.add_argument("--minutes", type=float, default=1.0)
    ap.add_argument("--workers", default="1,2,3")
    ap.add_argument("--pin", action="store_true",
                    help="pin worker k to core k mod the cores (taskset): each worker a one-core machine")
    a = ap.parse_args()
    server = os.environ.get("FACESCAN_TEST_POSTGRES")
    if not server:
        sys.exit("measure_workers: run under scripts/with-postgres.sh (FACESCAN_TEST_POSTGRES is not set)")
    tmp = Path(tempfile.mkdtemp(prefix="facescan-workers-"))
    video = a.video
    if not video:
        source = REPO.parent / "shared" / "data" / "videos" / "portrait_vertical_720x1280.mp4"
        if not source.is_file():
            sys.exit("measure_workers: give a VIDEO (%s is absent)" % source)
        video = str(tmp / "long.mp4")
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-stream_loop", "-1", "-i", str(source), "-t",
                        str(int(a.minutes * 60)), "-an", "-c:v", "libx264", "-preset", "veryfast", video], check=True)
    base_env = dict(os.environ, FACESCAN_HOME=str(tmp / "home"), FACESCAN_SEGMENT_SECONDS=str(a.segment_seconds))
    meta = run_json([a.bin, "probe", video], base_env)["VideoMetadata"]
    seconds = meta["DurationMillis"] / 1000
    print("video: %s, %.1f s, %dx%d; segments of %d s" % (video, seconds, meta["FrameWidth"], meta["FrameHeight"], a.segment_seconds))

    cpu0, t0 = rusage_children(), time.monotonic()
    subprocess.run((["taskset", "-c", "0"] if a.pin else []) + [a.bin, "--quiet", "detect", video], env=base_env, check=True,
                   stdout=subprocess.DEVNULL)
    single_wall, single_cpu = time.monotonic() - t0, rusage_children() - cpu0
    print("| run | wall (s) | × real time | speed-up | CPU s per video s |")
    print("|---|---|---|---|---|")
    print("| `facescan detect`, one process%s | %.1f | %.1f | | %.2f |" % (" (one core)" if a.pin else "", single_wall, seconds / single_wall, single_cpu / seconds))

    one = None
    for n in [int(x) for x in a.workers.split(",")]:
        parts = urllib.parse.urlsplit(server)
        db = "workers_" + uuid.uuid4().hex[:10]
        subprocess.run(["psql", "-q", server, "-c", "CREATE DATABASE " + db], check=True)
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + db, parts.query, ""))
        env = dict(base_env, FACESCAN_STORE=url)
        cpu0, t0 = rusage_children(), time.monotonic()
        job = run_json([a.bin, "start-face-detection", video], env)["JobId"]
        cores = os.cpu_count() or 1
        pin = (lambda k: ["taskset", "-c", str(k % cores)]) if a.pin else (lambda k: [])
        workers = [subprocess.Popen(pin(k) + [a.bin, "worker", "--drain"], env=env, stdout=subprocess.DEVNULL) for k in range(n)]
        for w in workers:
            w.wait()
        wall = time.monotonic() - t0
        cpu = rusage_children() - cpu0
        status = run_json([a.bin, "get-face-detection", "--job-id", job, "--max-results", "1"], env)["JobStatus"]
        assert status == "SUCCEEDED", status
        one = one or wall
        print("| %d worker%s%s | %.1f | %.1f | %.2f× | %.2f |" % (n, "" if n == 1 else "s", ", one core each" if a.pin else "", wall, seconds / wall, one / wall, cpu / seconds))


if __name__ == "__main__":
    main()

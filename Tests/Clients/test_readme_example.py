"""Runs README's boto3 script (Tests/Clients/rekognition_example.py) unchanged against `facescan serve`,
with the media it expects made from photos that packages ship, and checks what it printed."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("FACESCAN_BIN", os.path.join(REPO, ".build-test/release/facescan"))
PHOTOS = os.environ.get("FACESCAN_TEST_PHOTOS", os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "facescan/test-photos"))
MESSI = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"


def test_readme_script_runs_unchanged():
    astronaut = os.path.join(PHOTOS, "astronaut.png")
    for path in (BIN, astronaut, MESSI):
        if not os.path.exists(path):
            pytest.skip(f"{path} is missing (make test builds and fetches it)")
    pytest.importorskip("boto3")
    work = tempfile.mkdtemp(prefix="facescan-readme-")
    server = None
    try:
        media = os.path.join(work, "s3", "media")
        os.makedirs(media)
        # eileen.jpg and messi.jpg (JPEG, as the names say), visitor.jpg: the astronaut mirrored; clip.mp4:
        # 2 s of the astronaut, 2 s of messi.
        def ffmpeg(*args):
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)
        ffmpeg("-i", astronaut, os.path.join(media, "eileen.jpg"))
        shutil.copy(MESSI, os.path.join(media, "messi.jpg"))
        ffmpeg("-i", astronaut, "-vf", "hflip", os.path.join(work, "visitor.jpg"))
        ffmpeg("-loop", "1", "-t", "2", "-framerate", "5", "-i", astronaut, "-loop", "1", "-t", "2", "-framerate", "5", "-i", MESSI,
               "-filter_complex", "[0:v]scale=640:640,setsar=1[a];[1:v]scale=640:400,pad=640:640:0:120,setsar=1[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p",
               "-c:v", "libx264", os.path.join(media, "clip.mp4"))
        env = dict(os.environ, FACESCAN_HOME=os.path.join(work, "home"))
        server = subprocess.Popen([BIN, "serve", "--port", "0", "--s3-root", os.path.join(work, "s3")], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        endpoint = json.loads(server.stdout.readline())["Endpoint"]
        client_env = dict(os.environ, REKOGNITION_ENDPOINT=endpoint, AWS_ACCESS_KEY_ID="any", AWS_SECRET_ACCESS_KEY="any",
                          AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        run = subprocess.run([sys.executable, os.path.join(HERE, "rekognition_example.py")], cwd=work, env=client_env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        assert sum(l.startswith("indexed ") for l in lines) == 2
        assert lines[2].startswith("visitor is eileen ") and float(lines[2].split()[-1]) > 90, lines
        timed = [l for l in lines if l.split()[0].isdigit() and " person " in l]
        assert any("'eileen'" in l and int(l.split()[0]) < 2000 for l in timed), lines
        assert any("'messi'" in l and int(l.split()[0]) >= 2000 for l in timed), lines
        assert not any("'messi'" in l and int(l.split()[0]) < 2000 for l in timed), lines
        detected = [l for l in lines if l.endswith(" faces detected")]
        assert detected and int(detected[0].split()[0]) >= 15, lines
        assert lines[-1] == "as expected: ResourceNotFoundException", lines
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)

"""End-to-end tests of `facescan serve`, the local Amazon Rekognition endpoint (AWS JSON 1.1).

Run:  FACESCAN_BIN=.build-test/release/facescan python3 -m pytest -q -p no:cacheprovider Tests/Clients/test_endpoint.py

The tests drive the server with boto3 (and the aws command for the aws-cli test), or with raw HTTP
(http.client) where a client would refuse to send the request. Every successful (HTTP 200) response
body is recorded and, at the end of each test, checked against botocore's Rekognition model with
scripts/rekognition_shape_check.py.

Every server gets a fresh FACESCAN_HOME under one temporary folder, so the user's state is never
touched. Needs: the facescan binary ($FACESCAN_BIN, default <repo>/.build-test/release/facescan), its
models, scikit-image's astronaut.png and camera.png ($FACESCAN_TEST_PHOTOS, default
~/.cache/facescan/test-photos), opencv-doc's messi5.jpg and fruits.jpg, SampleVideos/, ffmpeg for the
made-up images and video, boto3/botocore, and aws (awscli) for the aws-cli test. What is missing
makes the tests that need it skip.
"""

import base64
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import http.client
import urllib.parse
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (pip install boto3)")
botocore = pytest.importorskip("botocore", reason="botocore is not installed (pip install botocore)")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FACESCAN_BIN") or REPO / ".build-test" / "release" / "facescan")
CHECKER = REPO / "scripts" / "rekognition_shape_check.py"
PHOTOS = Path(os.environ.get("FACESCAN_TEST_PHOTOS") or Path.home() / ".cache" / "facescan" / "test-photos")
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
SAMPLES = REPO / "SampleVideos"
FFMPEG = shutil.which("ffmpeg")

KEY, SECRET = "facescan", "facescan-secret"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NOTIFY = {"SNSTopicArn": "arn:aws:sns:us-east-1:111122223333:t",
          "RoleArn": "arn:aws:iam::111122223333:role/r"}
JOB_TIMEOUT = 120  # seconds; the sample videos take a second or two each


def uid(prefix):
    """A collection id unique to one test (so tests do not depend on each other or on their order)."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


# --------------------------------------------------------------------------------------------
# Shape checks of every successful response
# --------------------------------------------------------------------------------------------

class ShapeRecorder:
    """Collects the raw body of every HTTP 200 response (from boto3 clients and raw HTTP calls)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.docs = []  # (operation, raw body bytes)

    def add(self, operation, body):
        with self.lock:
            self.docs.append((operation, body))

    def attach(self, client):
        def after_call(http_response, model, **_):
            if http_response.status_code == 200:
                self.add(model.name, http_response.content)
        client.meta.events.register("after-call.rekognition.*", after_call)
        return client

    def take(self):
        with self.lock:
            docs, self.docs = self.docs, []
        return docs

    def verify(self):
        """Run the checker once per operation (--jsonl); return a list of problem descriptions."""
        docs = self.take()
        by_op = {}
        problems = []
        for op, body in docs:
            try:
                doc = json.loads(body)
            except ValueError as exc:
                problems.append("%s: a 200 response body is not JSON (%s): %r" % (op, exc, body[:200]))
                continue
            by_op.setdefault(op, []).append(json.dumps(doc))
        for op, lines in sorted(by_op.items()):
            r = subprocess.run([sys.executable, str(CHECKER), "--jsonl", op, "-"],
                               input="\n".join(lines) + "\n", capture_output=True, text=True)
            if r.returncode != 0:
                bad = sorted({int(m) for m in re.findall(r"^line (\d+):", r.stdout, re.M)})
                examples = "".join("\n    document: %s" % lines[n - 1][:600] for n in bad[:2])
                problems.append("%s (%d documents): checker exit %d:\n%s%s%s" % (
                    op, len(lines), r.returncode, r.stdout.strip(), r.stderr.strip(), examples))
        return problems


SHAPES = ShapeRecorder()


def verify_shapes():
    """Check the successful responses recorded so far (each test ends with this; a teardown check
    catches what a failing test left)."""
    problems = SHAPES.verify()
    assert not problems, "response documents that do not fit botocore's model:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def check_response_shapes():
    SHAPES.take()
    yield
    problems = SHAPES.verify()
    if problems:
        pytest.fail("response documents that do not fit botocore's model:\n" + "\n".join(problems))


# --------------------------------------------------------------------------------------------
# Test data, servers and clients
# --------------------------------------------------------------------------------------------

def ffmpeg(*args):
    r = subprocess.run([FFMPEG, "-v", "error", "-y", *args], capture_output=True, text=True)
    assert r.returncode == 0, "ffmpeg %s failed: %s" % (" ".join(args), r.stderr)


@pytest.fixture(scope="session")
def workdir():
    """One temporary folder for everything; at the end, waits for (then ends) our job workers."""
    if not (BIN.is_file() and os.access(BIN, os.X_OK)):
        pytest.skip("facescan binary not found at %s (set FACESCAN_BIN)" % BIN)
    if not CHECKER.is_file():
        pytest.skip("shape checker %s not found" % CHECKER)
    root = Path(tempfile.mkdtemp(prefix="facescan-endpoint-"))
    yield root
    # Worker processes are `facescan __worker HOME JOBID`; ours have HOME under root. They end when
    # their job ends; wait for them, and only then end stragglers (by pid; they are ours).
    deadline = time.monotonic() + 60
    while True:
        pids = our_workers(root)
        if not pids or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    shutil.rmtree(root, ignore_errors=True)


def our_workers(root):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"__worker" in argv and any(a.startswith(str(root).encode()) for a in argv):
            pids.append(int(entry))
    return pids


class Photos:
    pass


@pytest.fixture(scope="session")
def data(workdir):
    """The S3 root: buckets `photos` and `videos`, plus files outside it for the traversal tests."""
    sources = {"astronaut.png": PHOTOS / "astronaut.png", "camera.png": PHOTOS / "camera.png",
               "messi5.jpg": OPENCV_DATA / "messi5.jpg", "fruits.jpg": OPENCV_DATA / "fruits.jpg"}
    for name, path in sources.items():
        if not path.is_file():
            pytest.skip("test photo %s is missing (%s; scikit-image photos go in $FACESCAN_TEST_PHOTOS "
                        "or ~/.cache/facescan/test-photos, opencv-doc's in %s)" % (name, path, OPENCV_DATA))
    videos = ["face-zoom.mp4", "several-faces.mp4", "no-face.mp4"]
    for name in videos:
        if not (SAMPLES / name).is_file():
            pytest.skip("sample video %s is missing" % (SAMPLES / name))
    s3 = workdir / "s3"
    (s3 / "photos").mkdir(parents=True)
    (s3 / "videos").mkdir()
    for name, path in sources.items():
        shutil.copy(path, s3 / "photos" / name)
    for name in videos:
        shutil.copy(SAMPLES / name, s3 / "videos" / name)
    (s3 / "photos" / "not-an-image.jpg").write_bytes(b"this is plain text, not a JPEG\n" * 40)
    # Traversal targets: real images, so that only the escape can be the reason for a refusal.
    shutil.copy(PHOTOS / "astronaut.png", workdir / "outside.jpg")          # next to the S3 root
    shutil.copy(PHOTOS / "astronaut.png", s3 / "outside.jpg")               # in the root, in no bucket
    (workdir / "elsewhere").mkdir()
    shutil.copy(PHOTOS / "astronaut.png", workdir / "elsewhere" / "astronaut.png")
    os.symlink(workdir / "outside.jpg", s3 / "photos" / "escape.jpg")        # link leading out
    os.symlink("astronaut.png", s3 / "photos" / "alias.png")                 # link staying inside
    (s3 / "photos" / "sub").mkdir()                                          # a folder, not an object
    os.symlink(workdir / "elsewhere", s3 / "linked-bucket")                  # a bucket leading out
    d = Photos()
    d.root, d.s3 = workdir, s3
    d.bytes = {name: (s3 / "photos" / name).read_bytes() for name in sources}
    d.pair = d.astro_messi = None
    if FFMPEG:
        # Two faces large enough for every quality bar: the astronaut's and Messi's (enlarged).
        ffmpeg("-i", str(s3 / "photos" / "astronaut.png"), "-i", str(s3 / "photos" / "messi5.jpg"),
               "-filter_complex", "[0:v]crop=200:200:125:22,format=rgb24[a];"
               "[1:v]crop=100:100:193:63,scale=200:200,format=rgb24[b];[a][b]hstack=inputs=2",
               "-frames:v", "1", str(s3 / "photos" / "pair.png"))
        d.pair = "pair.png"
        d.bytes["pair.png"] = (s3 / "photos" / "pair.png").read_bytes()
        # The astronaut for 2 s, then Messi for 2 s, 5 fps.
        fit = "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=5"
        ffmpeg("-loop", "1", "-framerate", "5", "-t", "2", "-i", str(s3 / "photos" / "astronaut.png"),
               "-loop", "1", "-framerate", "5", "-t", "2", "-i", str(s3 / "photos" / "messi5.jpg"),
               "-filter_complex", "[0:v]%s[a];[1:v]%s[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]" % (fit, fit),
               "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "5",
               str(s3 / "videos" / "astro-messi.mp4"))
        d.astro_messi = "astro-messi.mp4"
    return d


def need(value, what):
    if not value:
        pytest.skip("%s needs ffmpeg (not found on PATH)" % what)
    return value


class Server:
    """One `facescan serve --port 0` with its own FACESCAN_HOME."""

    count = 0

    def __init__(self, workdir, s3root, *extra, home=None):
        Server.count += 1
        n = Server.count
        self.home = Path(home) if home else workdir / ("home-%d" % n)
        self.home.mkdir(parents=True, exist_ok=True)
        self.out_path = workdir / ("serve-%d.stdout" % n)
        self.err_path = workdir / ("serve-%d.stderr" % n)
        env = dict(os.environ, FACESCAN_HOME=str(self.home))
        self.argv = [str(BIN), "serve", "--port", "0", "--s3-root", str(s3root), *extra]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 30
        while True:
            text = self.out_path.read_text()
            if "\n" in text:
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("facescan serve did not start (exit %s): stdout %r stderr %r" % (
                    self.proc.returncode, text, self.err_path.read_text()))
            time.sleep(0.05)
        first = text.splitlines()[0]
        self.endpoint = json.loads(first)["Endpoint"]
        assert re.match(r"^http://127\.0\.0\.1:\d+$", self.endpoint), first
        parts = urllib.parse.urlsplit(self.endpoint)
        self.host, self.port = parts.hostname, parts.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def crash(self):
        self.proc.kill()
        self.proc.wait()

    def stderr(self):
        return self.err_path.read_text(errors="replace")


def make_client(endpoint, key=KEY, secret=SECRET, record=True):
    # A session per client: creating clients from the default session is not thread-safe.
    client = boto3.session.Session().client(
        "rekognition", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, read_timeout=120, connect_timeout=10))
    return SHAPES.attach(client) if record else client


@pytest.fixture(scope="module")
def server(workdir, data):
    notifications = workdir / "notifications.txt"
    srv = Server(workdir, data.s3, "--notification-command", "cat >> %s" % shlex.quote(str(notifications)))
    srv.notifications = notifications
    yield srv
    code = srv.stop()
    assert code == 0, "facescan serve exited %s after SIGTERM; stderr: %s" % (code, srv.stderr()[-2000:])


@pytest.fixture(scope="module")
def client(server):
    return make_client(server.endpoint)


# --------------------------------------------------------------------------------------------
# Raw HTTP
# --------------------------------------------------------------------------------------------

class RawResponse:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError("response body is not JSON: HTTP %d %r" % (self.status, self.body[:300]))

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.body[:400].decode("utf-8", "replace"))


def raw(srv, operation, body, headers=None, target=None, timeout=60):
    """POST / with X-Amz-Target RekognitionService.OPERATION (target= overrides; target=False omits it)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    hdrs = {"Content-Type": "application/x-amz-json-1.1"}
    if target is None:
        target = "RekognitionService." + operation
    if target is not False:
        hdrs["X-Amz-Target"] = target
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
    try:
        conn.request("POST", "/", body=body, headers=hdrs)
        resp = conn.getresponse()
        result = RawResponse(resp.status, dict(resp.getheaders()), resp.read())
    finally:
        conn.close()
    if result.status == 200 and operation:
        SHAPES.add(operation, result.body)
    return result


def assert_raw_error(resp, error_type, status=400):
    doc = resp.json()
    assert resp.status == status and isinstance(doc, dict) and doc.get("__type", "").split("#")[-1] == error_type, \
        "expected HTTP %d %s, got %r" % (status, error_type, resp)
    assert isinstance(doc.get("message"), str) and doc["message"], "error without a message: %r" % resp
    return doc


def assert_client_error(call, code, status=None):
    with pytest.raises(ClientError) as info:
        call()
    err = info.value.response
    assert err["Error"]["Code"] == code, "expected %s, got %s: %s" % (code, err["Error"]["Code"], err["Error"])
    if status is not None:
        assert err["ResponseMetadata"]["HTTPStatusCode"] == status, err["ResponseMetadata"]
    return info.value


def assert_alive(client):
    assert isinstance(client.list_collections()["CollectionIds"], list)


# --------------------------------------------------------------------------------------------
# Helpers over the API
# --------------------------------------------------------------------------------------------

def s3(bucket, name):
    return {"S3Object": {"Bucket": bucket, "Name": name}}


def index_one(client, data, cid, name, external, **kw):
    r = client.index_faces(CollectionId=cid, Image={"Bytes": data.bytes[name]}, ExternalImageId=external, **kw)
    assert len(r["FaceRecords"]) == 1, r
    return r["FaceRecords"][0]["Face"]["FaceId"]


def wait_job(get, job_id, timeout=JOB_TIMEOUT, **kw):
    deadline = time.monotonic() + timeout
    while True:
        r = get(JobId=job_id, MaxResults=1, **kw)
        if r["JobStatus"] != "IN_PROGRESS":
            assert r["JobStatus"] == "SUCCEEDED", "job %s ended %s: %s" % (job_id, r["JobStatus"], r.get("StatusMessage"))
            assert "StatusMessage" not in r, r
            return r
        assert time.monotonic() < deadline, "job %s still IN_PROGRESS after %d s" % (job_id, timeout)
        time.sleep(0.25)


def all_pages(get, job_id, key, max_results, **kw):
    """AWS's sample loop: NextToken='' first, then each NextToken until none comes back."""
    items, pages, token = [], [], ""
    for _ in range(10000):
        r = get(JobId=job_id, MaxResults=max_results, NextToken=token, **kw)
        assert r["JobStatus"] == "SUCCEEDED", r
        assert len(r[key]) <= max_results, (len(r[key]), max_results)
        assert "VideoMetadata" in r, r
        pages.append(len(r[key]))
        items.extend(r[key])
        token = r.get("NextToken")
        if not token:
            return items, pages
        assert len(r[key]) == max_results, "a page before the last one is short: %s" % pages
    raise AssertionError("pagination does not end")


def strip_meta(r):
    return {k: v for k, v in r.items() if k != "ResponseMetadata"}


# ============================================================================================
# 1. Collections
# ============================================================================================

def test_create_collection_and_duplicate(client):
    cid = uid("create")
    r = client.create_collection(CollectionId=cid)
    assert r["StatusCode"] == 200
    assert r["CollectionArn"].endswith("/" + cid), r["CollectionArn"]
    assert r["CollectionArn"].startswith("arn:"), r["CollectionArn"]
    assert isinstance(r["FaceModelVersion"], str) and r["FaceModelVersion"]
    err = assert_client_error(lambda: client.create_collection(CollectionId=cid), "ResourceAlreadyExistsException", 400)
    assert isinstance(err, client.exceptions.ResourceAlreadyExistsException)
    assert cid in client.list_collections()["CollectionIds"]
    verify_shapes()


def test_list_collections_paging(client):
    tag = uuid.uuid4().hex[:8]
    mine = ["list-%s-%d" % (tag, i) for i in (2, 0, 1)]
    for cid in mine:
        client.create_collection(CollectionId=cid)
    seen, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        r = client.list_collections(MaxResults=1, **kw)
        pages += 1
        assert len(r["CollectionIds"]) <= 1, r
        assert len(r["FaceModelVersions"]) == len(r["CollectionIds"]), r
        seen.extend(r["CollectionIds"])
        token = r.get("NextToken")
        if not token:
            break
        assert pages < 10000
    for cid in mine:
        assert seen.count(cid) == 1, (cid, seen)
    assert len(seen) == len(set(seen)), "a collection listed twice: %s" % seen
    assert seen == sorted(seen), "not sorted: %s" % seen
    assert [c for c in seen if c.startswith("list-%s-" % tag)] == sorted(mine)
    whole = client.list_collections()
    assert whole["CollectionIds"] == seen and "NextToken" not in whole
    verify_shapes()


def test_describe_and_delete_collection(client, data):
    cid = uid("describe")
    client.create_collection(CollectionId=cid)
    d = client.describe_collection(CollectionId=cid)
    assert d["FaceCount"] == 0
    assert d["CollectionARN"].endswith("/" + cid)
    assert d["FaceModelVersion"]
    assert d["CreationTimestamp"].year >= 2020
    index_one(client, data, cid, "astronaut.png", "eileen")
    assert client.describe_collection(CollectionId=cid)["FaceCount"] == 1
    r = client.delete_collection(CollectionId=cid)
    assert r["StatusCode"] == 200
    err = assert_client_error(lambda: client.describe_collection(CollectionId=cid), "ResourceNotFoundException", 400)
    assert isinstance(err, client.exceptions.ResourceNotFoundException)
    assert cid not in client.list_collections()["CollectionIds"]
    assert_client_error(lambda: client.delete_collection(CollectionId=cid), "ResourceNotFoundException")
    assert_client_error(lambda: client.list_faces(CollectionId=cid), "ResourceNotFoundException")
    verify_shapes()


def test_invalid_collection_id(server):
    for op in ("CreateCollection", "DescribeCollection", "ListFaces"):
        assert_raw_error(raw(server, op, {"CollectionId": "bad id!"}), "InvalidParameterException")
    assert_raw_error(raw(server, "CreateCollection", {"CollectionId": "x" * 256}), "InvalidParameterException")
    assert_raw_error(raw(server, "CreateCollection", {}), "InvalidParameterException")
    verify_shapes()


# ============================================================================================
# 2. IndexFaces
# ============================================================================================

def test_index_faces_bytes_and_s3(client, data):
    cid = uid("index")
    client.create_collection(CollectionId=cid)
    r = client.index_faces(CollectionId=cid, Image={"Bytes": data.bytes["astronaut.png"]}, ExternalImageId="eileen")
    assert len(r["FaceRecords"]) == 1 and r["UnindexedFaces"] == [], r
    face = r["FaceRecords"][0]["Face"]
    assert UUID_RE.match(face["FaceId"]), face["FaceId"]
    assert UUID_RE.match(face["ImageId"]), face["ImageId"]
    assert face["ExternalImageId"] == "eileen"
    assert r["FaceRecords"][0]["FaceDetail"]["Confidence"] > 90
    assert r["FaceModelVersion"]

    # Messi's face is 33 px high: below facescan's documented AUTO bar (40 px, README "Quality
    # filter"; the service's documented minimum face is 40x40 px too), so index it with NONE ...
    r = client.index_faces(CollectionId=cid, Image=s3("photos", "messi5.jpg"), ExternalImageId="messi",
                           QualityFilter="NONE")
    assert len(r["FaceRecords"]) == 1 and r["UnindexedFaces"] == [], r
    messi = r["FaceRecords"][0]["Face"]
    assert UUID_RE.match(messi["FaceId"]) and messi["ExternalImageId"] == "messi"
    assert messi["FaceId"] != face["FaceId"] and messi["ImageId"] != face["ImageId"]
    # ... and with the default (AUTO) it is left out, with the reason.
    r = client.index_faces(CollectionId=cid, Image=s3("photos", "messi5.jpg"), ExternalImageId="messi")
    assert r["FaceRecords"] == [] and len(r["UnindexedFaces"]) == 1, r
    assert "SMALL_BOUNDING_BOX" in r["UnindexedFaces"][0]["Reasons"], r["UnindexedFaces"]

    # An S3Object image with a face that passes AUTO.
    r = client.index_faces(CollectionId=cid, Image=s3("photos", "astronaut.png"), ExternalImageId="eileen-s3")
    assert len(r["FaceRecords"]) == 1 and r["FaceRecords"][0]["Face"]["ExternalImageId"] == "eileen-s3", r

    r = client.index_faces(CollectionId=cid, Image={"Bytes": data.bytes["fruits.jpg"]}, ExternalImageId="fruits")
    assert r["FaceRecords"] == [] and r["UnindexedFaces"] == [], r
    assert client.describe_collection(CollectionId=cid)["FaceCount"] == 3

    assert_client_error(lambda: client.index_faces(CollectionId=uid("missing"), Image={"Bytes": data.bytes["astronaut.png"]}),
                        "ResourceNotFoundException")
    verify_shapes()


def test_index_faces_max_faces(client, data):
    pair = need(data.pair, "the two-face image")
    cid = uid("maxfaces")
    client.create_collection(CollectionId=cid)
    r = client.index_faces(CollectionId=cid, Image=s3("photos", pair), ExternalImageId="pair-all")
    assert len(r["FaceRecords"]) == 2 and r["UnindexedFaces"] == [], r
    r = client.index_faces(CollectionId=cid, Image={"Bytes": data.bytes[pair]}, ExternalImageId="pair-one", MaxFaces=1)
    assert len(r["FaceRecords"]) == 1, r
    assert len(r["UnindexedFaces"]) == 1, r
    assert "EXCEEDS_MAX_FACES" in r["UnindexedFaces"][0]["Reasons"], r["UnindexedFaces"]
    kept = r["FaceRecords"][0]["Face"]["BoundingBox"]
    dropped = r["UnindexedFaces"][0]["FaceDetail"]["BoundingBox"]
    assert kept["Width"] * kept["Height"] >= dropped["Width"] * dropped["Height"], "MaxFaces keeps the largest faces"
    r = client.index_faces(CollectionId=cid, Image={"Bytes": data.bytes[pair]}, MaxFaces=1, QualityFilter="NONE")
    assert len(r["FaceRecords"]) == 1 and [u["Reasons"] for u in r["UnindexedFaces"]] == [["EXCEEDS_MAX_FACES"]], r
    assert client.describe_collection(CollectionId=cid)["FaceCount"] == 4
    verify_shapes()


# ============================================================================================
# 3. ListFaces, DeleteFaces, SearchFaces
# ============================================================================================

def test_list_faces_paging_and_filter(client, data):
    cid = uid("listfaces")
    client.create_collection(CollectionId=cid)
    ids = [index_one(client, data, cid, "astronaut.png", "eileen"),
           index_one(client, data, cid, "messi5.jpg", "messi", QualityFilter="NONE"),
           index_one(client, data, cid, "astronaut.png", "eileen-2")]
    whole = client.list_faces(CollectionId=cid)
    assert "NextToken" not in whole
    assert sorted(f["FaceId"] for f in whole["Faces"]) == sorted(ids)
    assert {f["FaceId"]: f["ExternalImageId"] for f in whole["Faces"]} == dict(zip(ids, ["eileen", "messi", "eileen-2"]))
    assert whole["FaceModelVersion"]
    seen, token, pages = [], None, 0
    while True:
        r = client.list_faces(CollectionId=cid, MaxResults=1, **({"NextToken": token} if token else {}))
        pages += 1
        assert len(r["Faces"]) <= 1, r
        seen.extend(f["FaceId"] for f in r["Faces"])
        token = r.get("NextToken")
        if not token:
            break
        assert pages < 20
    assert seen == [f["FaceId"] for f in whole["Faces"]], (seen, whole["Faces"])
    assert len(set(seen)) == 3
    r = client.list_faces(CollectionId=cid, FaceIds=[ids[0], ids[2]])
    assert sorted(f["FaceId"] for f in r["Faces"]) == sorted([ids[0], ids[2]]), r
    r = client.list_faces(CollectionId=cid, FaceIds=[str(uuid.uuid4())])
    assert r["Faces"] == [], r
    verify_shapes()


def test_delete_faces(client, data):
    cid = uid("deletefaces")
    client.create_collection(CollectionId=cid)
    astro = index_one(client, data, cid, "astronaut.png", "eileen")
    messi = index_one(client, data, cid, "messi5.jpg", "messi", QualityFilter="NONE")
    unknown = str(uuid.uuid4())
    r = client.delete_faces(CollectionId=cid, FaceIds=[astro, unknown])
    assert r["DeletedFaces"] == [astro], r
    assert len(r["UnsuccessfulFaceDeletions"]) == 1, r
    failed = r["UnsuccessfulFaceDeletions"][0]
    assert failed["FaceId"] == unknown and failed["Reasons"] == ["FACE_NOT_FOUND"], failed
    assert [f["FaceId"] for f in client.list_faces(CollectionId=cid)["Faces"]] == [messi]
    assert client.describe_collection(CollectionId=cid)["FaceCount"] == 1
    r = client.delete_faces(CollectionId=cid, FaceIds=[astro])  # already deleted
    # Nothing deleted: the model's DeletedFaces (FaceIdList) has at least 1 item, so it is absent.
    assert r.get("DeletedFaces", []) == [] and r["UnsuccessfulFaceDeletions"][0]["Reasons"] == ["FACE_NOT_FOUND"], r
    verify_shapes()


def test_search_faces(client, data):
    cid = uid("searchfaces")
    client.create_collection(CollectionId=cid)
    a1 = index_one(client, data, cid, "astronaut.png", "eileen-1")
    r = client.index_faces(CollectionId=cid, Image=s3("photos", "astronaut.png"), ExternalImageId="eileen-2")
    a2 = r["FaceRecords"][0]["Face"]["FaceId"]
    messi = index_one(client, data, cid, "messi5.jpg", "messi", QualityFilter="NONE")

    r = client.search_faces(CollectionId=cid, FaceId=a1, FaceMatchThreshold=80)
    assert r["SearchedFaceId"] == a1
    assert r["FaceModelVersion"]
    matches = {m["Face"]["FaceId"]: m["Similarity"] for m in r["FaceMatches"]}
    assert a2 in matches and matches[a2] > 95, r["FaceMatches"]
    assert messi not in matches, r["FaceMatches"]
    assert a1 not in matches, "the searched face itself is not a match: %s" % r["FaceMatches"]
    assert [m["Face"]["ExternalImageId"] for m in r["FaceMatches"]] == ["eileen-2"]

    r = client.search_faces(CollectionId=cid, FaceId=messi, FaceMatchThreshold=80)
    assert r["SearchedFaceId"] == messi and r["FaceMatches"] == [], r
    r = client.search_faces(CollectionId=cid, FaceId=messi, FaceMatchThreshold=0, MaxFaces=1)
    assert len(r["FaceMatches"]) == 1, r

    err = assert_client_error(lambda: client.search_faces(CollectionId=cid, FaceId=str(uuid.uuid4())),
                              "ResourceNotFoundException")
    assert isinstance(err, client.exceptions.ResourceNotFoundException)
    assert_client_error(lambda: client.search_faces(CollectionId=uid("missing"), FaceId=a1), "ResourceNotFoundException")
    verify_shapes()


# ============================================================================================
# 4. SearchFacesByImage, CompareFaces, DetectFaces
# ============================================================================================

def test_search_faces_by_image(client, data):
    cid = uid("sfbi")
    client.create_collection(CollectionId=cid)
    astro = index_one(client, data, cid, "astronaut.png", "eileen")
    index_one(client, data, cid, "messi5.jpg", "messi", QualityFilter="NONE")
    r = client.search_faces_by_image(CollectionId=cid, Image={"Bytes": data.bytes["astronaut.png"]}, FaceMatchThreshold=80)
    assert [m["Face"]["ExternalImageId"] for m in r["FaceMatches"]] == ["eileen"], r["FaceMatches"]
    assert r["FaceMatches"][0]["Face"]["FaceId"] == astro
    assert r["FaceMatches"][0]["Similarity"] > 95
    box = r["SearchedFaceBoundingBox"]
    assert 0.3 < box["Left"] < 0.4 and 0.15 < box["Width"] < 0.3, box  # the astronaut's face
    assert r["SearchedFaceConfidence"] > 90

    r = client.search_faces_by_image(CollectionId=cid, Image=s3("photos", "astronaut.png"))
    assert [m["Face"]["FaceId"] for m in r["FaceMatches"]] == [astro], r["FaceMatches"]

    r = client.search_faces_by_image(CollectionId=cid, Image={"Bytes": data.bytes["camera.png"]}, FaceMatchThreshold=80)
    assert r["FaceMatches"] == [], r["FaceMatches"]
    assert "SearchedFaceBoundingBox" in r

    err = assert_client_error(lambda: client.search_faces_by_image(CollectionId=cid, Image={"Bytes": data.bytes["fruits.jpg"]}),
                              "InvalidParameterException", 400)
    assert isinstance(err, client.exceptions.InvalidParameterException)
    assert_client_error(lambda: client.search_faces_by_image(CollectionId=uid("missing"), Image={"Bytes": data.bytes["astronaut.png"]}),
                        "ResourceNotFoundException")
    verify_shapes()


def test_compare_faces(client, data):
    r = client.compare_faces(SourceImage={"Bytes": data.bytes["astronaut.png"]}, TargetImage=s3("photos", "astronaut.png"))
    assert len(r["FaceMatches"]) == 1 and r["UnmatchedFaces"] == [], r
    assert r["FaceMatches"][0]["Similarity"] > 95
    assert r["FaceMatches"][0]["Face"]["BoundingBox"]["Width"] > 0.1
    assert r["SourceImageFace"]["Confidence"] > 90

    r = client.compare_faces(SourceImage={"Bytes": data.bytes["astronaut.png"]}, TargetImage={"Bytes": data.bytes["messi5.jpg"]},
                             SimilarityThreshold=80)
    assert r["FaceMatches"] == [] and len(r["UnmatchedFaces"]) == 1, r

    r = client.compare_faces(SourceImage={"Bytes": data.bytes["astronaut.png"]}, TargetImage={"Bytes": data.bytes["fruits.jpg"]})
    assert r["FaceMatches"] == [] and r["UnmatchedFaces"] == [], r
    assert_client_error(lambda: client.compare_faces(SourceImage={"Bytes": data.bytes["fruits.jpg"]},
                                                     TargetImage={"Bytes": data.bytes["astronaut.png"]}),
                        "InvalidParameterException")
    verify_shapes()


def test_detect_faces(client, data):
    r = client.detect_faces(Image={"Bytes": data.bytes["astronaut.png"]})
    assert len(r["FaceDetails"]) == 1, r
    default = r["FaceDetails"][0]
    for key in ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"):
        assert key in default, (key, sorted(default))
    for key in ("EyesOpen", "MouthOpen", "EyeDirection"):
        assert key not in default, "DEFAULT attributes include %s" % key
    assert default["Confidence"] > 90

    r = client.detect_faces(Image=s3("photos", "astronaut.png"), Attributes=["ALL"])
    assert len(r["FaceDetails"]) == 1, r
    full = r["FaceDetails"][0]
    assert set(default) < set(full), (sorted(default), sorted(full))
    for key in ("EyesOpen", "MouthOpen", "EyeDirection"):  # README: ALL adds these
        assert key in full, (key, sorted(full))
    assert abs(full["BoundingBox"]["Left"] - default["BoundingBox"]["Left"]) < 1e-3

    assert client.detect_faces(Image={"Bytes": data.bytes["fruits.jpg"]})["FaceDetails"] == []
    assert client.detect_faces(Image=s3("photos", "fruits.jpg"), Attributes=["ALL"])["FaceDetails"] == []

    err = assert_client_error(lambda: client.detect_faces(Image={"Bytes": b"this is not an image at all" * 20}),
                              "InvalidImageFormatException", 400)
    assert isinstance(err, client.exceptions.InvalidImageFormatException)
    assert_client_error(lambda: client.detect_faces(Image=s3("photos", "not-an-image.jpg")), "InvalidImageFormatException")
    assert_client_error(lambda: client.detect_faces(Image=s3("photos", "no-such-photo.jpg")), "InvalidS3ObjectException")
    verify_shapes()


# ============================================================================================
# 5. Video jobs
# ============================================================================================

def test_face_detection_job(client):
    video = s3("videos", "face-zoom.mp4")
    token = uuid.uuid4().hex
    job = client.start_face_detection(Video=video, JobTag="zoom", ClientRequestToken=token)["JobId"]
    assert re.match(r"^[a-zA-Z0-9_-]{1,64}$", job), job
    # Idempotency: same token and parameters -> the same job; other parameters -> a mismatch.
    again = client.start_face_detection(Video=video, JobTag="zoom", ClientRequestToken=token)["JobId"]
    assert again == job
    err = assert_client_error(lambda: client.start_face_detection(Video=video, JobTag="other", ClientRequestToken=token),
                              "IdempotentParameterMismatchException", 400)
    assert isinstance(err, client.exceptions.IdempotentParameterMismatchException)
    assert_client_error(lambda: client.start_face_detection(Video=video, JobTag="zoom", FaceAttributes="ALL",
                                                            ClientRequestToken=token),
                        "IdempotentParameterMismatchException")
    assert_client_error(lambda: client.start_face_detection(Video=s3("videos", "no-face.mp4"), JobTag="zoom",
                                                            ClientRequestToken=token),
                        "IdempotentParameterMismatchException")

    wait_job(client.get_face_detection, job)
    whole = client.get_face_detection(JobId=job)
    assert whole["JobStatus"] == "SUCCEEDED" and "NextToken" not in whole
    assert whole["JobId"] == job and whole["JobTag"] == "zoom"
    assert whole["Video"] == video, whole.get("Video")
    assert whole["VideoMetadata"]["DurationMillis"] == 6000 and whole["VideoMetadata"]["FrameWidth"] == 640
    faces = whole["Faces"]
    assert len(faces) > 3, "face-zoom.mp4 shows a face all along: %d faces" % len(faces)
    stamps = [f["Timestamp"] for f in faces]
    assert stamps == sorted(stamps) and stamps[-1] > 3000
    for f in faces:
        for key in ("BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"):
            assert key in f["Face"], (key, f)

    items, pages = all_pages(client.get_face_detection, job, "Faces", 3)
    assert items == faces, "the MaxResults=3 pages do not concatenate to the whole result"
    assert len(pages) == math.ceil(len(faces) / 3), pages
    # Still the same job after it ended.
    assert client.start_face_detection(Video=video, JobTag="zoom", ClientRequestToken=token)["JobId"] == job
    verify_shapes()


def test_face_detection_errors(client):
    assert_client_error(lambda: client.get_face_detection(JobId="0" * 64), "ResourceNotFoundException", 400)
    assert_client_error(lambda: client.get_face_detection(JobId="no-such-job"), "ResourceNotFoundException")
    err = assert_client_error(lambda: client.start_face_detection(Video=s3("videos", "missing.mp4")),
                              "InvalidS3ObjectException", 400)
    assert isinstance(err, client.exceptions.InvalidS3ObjectException)
    assert_client_error(lambda: client.start_face_detection(Video=s3("no-bucket", "face-zoom.mp4")), "InvalidS3ObjectException")
    assert_client_error(lambda: client.start_face_detection(Video=s3("photos", "not-an-image.jpg")),
                        "InvalidImageFormatException")

    job = client.start_face_detection(Video=s3("videos", "no-face.mp4"))["JobId"]
    wait_job(client.get_face_detection, job)
    r = client.get_face_detection(JobId=job)
    assert r["Faces"] == [] and "NextToken" not in r, r
    err = assert_client_error(lambda: client.get_face_detection(JobId=job, NextToken="not-a-token"),
                              "InvalidPaginationTokenException", 400)
    assert isinstance(err, client.exceptions.InvalidPaginationTokenException)
    # A detection job is not a search job.
    assert_client_error(lambda: client.get_face_search(JobId=job), "ResourceNotFoundException")
    verify_shapes()


@pytest.fixture(scope="module")
def search_job(client, data):
    video = need(data.astro_messi, "the astronaut-then-Messi video")
    cid = uid("videosearch")
    client.create_collection(CollectionId=cid)
    astro = index_one(client, data, cid, "astronaut.png", "eileen")
    job = client.start_face_search(Video=s3("videos", video), CollectionId=cid, FaceMatchThreshold=80,
                                   JobTag="search")["JobId"]
    return {"cid": cid, "face": astro, "job": job, "video": video}


def test_face_search_job(client, search_job):
    job = search_job["job"]
    wait_job(client.get_face_search, job)
    whole = client.get_face_search(JobId=job)
    assert whole["JobStatus"] == "SUCCEEDED" and "NextToken" not in whole
    assert whole["JobId"] == job and whole["JobTag"] == "search"
    assert whole["Video"] == s3("videos", search_job["video"])
    persons = whole["Persons"]
    assert persons, whole
    stamps = [p["Timestamp"] for p in persons]
    assert stamps == sorted(stamps)
    matched = [p for p in persons if any(m["Face"]["FaceId"] == search_job["face"] for m in p.get("FaceMatches", []))]
    assert matched, "nobody in the video matched the astronaut's face: %s" % json.dumps(persons)[:1500]
    for p in matched:
        m = [m for m in p["FaceMatches"] if m["Face"]["FaceId"] == search_job["face"]][0]
        assert m["Face"]["ExternalImageId"] == "eileen"
        assert p["Timestamp"] < 2100, "the astronaut is only in the first 2 s: %s" % p
    assert any(p["Timestamp"] >= 2000 and not p["FaceMatches"] for p in persons), \
        "Messi (second half) should be listed, matching nobody"
    for p in persons:
        assert "Index" in p["Person"] and "FaceMatches" in p, p

    by_index = client.get_face_search(JobId=job, SortBy="INDEX")
    keys = [(p["Person"]["Index"], p["Timestamp"]) for p in by_index["Persons"]]
    assert keys == sorted(keys), keys
    assert sorted(json.dumps(p, sort_keys=True) for p in by_index["Persons"]) == \
        sorted(json.dumps(p, sort_keys=True) for p in persons)
    items, pages = all_pages(client.get_face_search, job, "Persons", 2, SortBy="INDEX")
    assert items == by_index["Persons"], "SortBy INDEX pages do not concatenate to the whole result"
    items, _ = all_pages(client.get_face_search, job, "Persons", 3, SortBy="TIMESTAMP")
    assert items == persons
    # A TIMESTAMP token is not an INDEX token.
    first = client.get_face_search(JobId=job, MaxResults=1, SortBy="TIMESTAMP")
    if first.get("NextToken"):
        assert_client_error(lambda: client.get_face_search(JobId=job, MaxResults=1, SortBy="INDEX",
                                                           NextToken=first["NextToken"]),
                            "InvalidPaginationTokenException")
    assert_client_error(lambda: client.get_face_search(JobId=job, NextToken="AAAA" * 20), "InvalidPaginationTokenException")
    # A search job is not a detection job.
    assert_client_error(lambda: client.get_face_detection(JobId=job), "ResourceNotFoundException")
    verify_shapes()


def test_face_search_errors(client, data):
    cid = uid("searcherr")
    client.create_collection(CollectionId=cid)
    err = assert_client_error(lambda: client.start_face_search(Video=s3("videos", "face-zoom.mp4"), CollectionId=uid("missing")),
                              "ResourceNotFoundException", 400)
    assert isinstance(err, client.exceptions.ResourceNotFoundException)
    assert_client_error(lambda: client.start_face_search(Video=s3("videos", "missing.mp4"), CollectionId=cid),
                        "InvalidS3ObjectException", 400)
    assert_client_error(lambda: client.get_face_search(JobId="f" * 64), "ResourceNotFoundException")
    verify_shapes()


def test_notification_channel(client, server):
    job = client.start_face_detection(Video=s3("videos", "no-face.mp4"), NotificationChannel=NOTIFY, JobTag="notify")["JobId"]
    deadline = time.monotonic() + 60
    message = None
    while message is None:
        text = server.notifications.read_text() if server.notifications.exists() else ""
        decoder, pos = json.JSONDecoder(), 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            try:
                doc, pos = decoder.raw_decode(text, pos)
            except ValueError:
                break  # a message being written
            if isinstance(doc, dict) and doc.get("JobId") == job:
                message = doc
        if message is None:
            assert time.monotonic() < deadline, "no notification for job %s in 60 s; file: %r; server stderr: %s" % (
                job, text[-1000:], server.stderr()[-1000:])
            time.sleep(0.25)
    assert message["Status"] == "SUCCEEDED", message
    assert message.get("API") == "StartFaceDetection", message
    assert message.get("JobTag") == "notify", message
    assert client.get_face_detection(JobId=job)["JobStatus"] == "SUCCEEDED"
    verify_shapes()


# ============================================================================================
# 6. Robustness (raw HTTP)
# ============================================================================================

def test_body_not_json(server, client):
    assert_raw_error(raw(server, "ListCollections", b"this is {not json"), "SerializationException")
    assert_raw_error(raw(server, "DetectFaces", b"\xff\xfe\x00garbage"), "SerializationException")
    r = raw(server, "ListCollections", b"{}")
    assert r.status == 200 and isinstance(r.json()["CollectionIds"], list), r
    assert_alive(client)
    verify_shapes()


def test_wrong_json_types(server, client):
    """A member of the wrong JSON type is a SerializationException, as AWS's JSON services answer it;
    a value of the right type outside its documented range is an InvalidParameterException."""
    for op, body in (("ListCollections", b"[1, 2]"), ("ListCollections", b"null"), ("ListCollections", b'"text"'),
                     ("ListCollections", b'{"MaxResults": "abc"}'), ("DescribeCollection", b'{"CollectionId": 5}'),
                     ("DeleteFaces", b'{"CollectionId": "c", "FaceIds": "not-a-list"}'),
                     ("DetectFaces", b'{"Image": "not-an-object"}')):
        assert_raw_error(raw(server, op, body), "SerializationException")
    for op, body in (("ListCollections", b'{"MaxResults": 1.5}'), ("ListCollections", b'{"MaxResults": 5000}'),
                     ("DescribeCollection", b'{"CollectionId": "bad id!"}')):
        assert_raw_error(raw(server, op, body), "InvalidParameterException")
    assert_alive(client)
    verify_shapes()


def test_unknown_operation(server, client):
    for target in ("RekognitionService.NoSuchOperation", "RekognitionService.DetectLabels",
                   "SomeOtherService.ListCollections", "RekognitionService."):
        assert_raw_error(raw(server, None, b"{}", target=target), "UnknownOperationException")
    assert_alive(client)
    verify_shapes()


def test_missing_target(server, client):
    r = raw(server, None, b"{}", target=False)
    assert r.status == 400, r
    doc = r.json()
    assert isinstance(doc.get("__type"), str) and doc["__type"], r
    assert isinstance(doc.get("message"), str) and doc["message"], r
    assert_alive(client)
    verify_shapes()


def test_body_too_large(server, client):
    body = b'{"Image": {"Bytes": "' + b"A" * (17 * 1024 * 1024) + b'"}}'
    try:
        r = raw(server, "DetectFaces", body)
    except (ConnectionError, http.client.HTTPException, OSError):
        r = None  # the server closed the connection: acceptable
    if r is not None:
        assert_raw_error(r, "ImageTooLargeException")
    assert_alive(client)
    assert raw(server, "ListCollections", b"{}").status == 200
    verify_shapes()


def test_bytes_too_large(server, client):
    blob = base64.b64encode(os.urandom(6 * 1024 * 1024))
    body = b'{"Image": {"Bytes": "' + blob + b'"}}'
    err = assert_raw_error(raw(server, "DetectFaces", body), "ImageTooLargeException")
    assert err["message"]
    assert_raw_error(raw(server, "IndexFaces", b'{"CollectionId": "whatever", "Image": {"Bytes": "' + blob + b'"}}'),
                     "ImageTooLargeException")
    assert_alive(client)
    verify_shapes()


def test_inputs_cannot_open_other_files(server, client, data):
    """Image bytes that are a playlist, a concat list or a stream description are not images: FFmpeg must
    not open what they name (a file of the server's, a URL)."""
    for text in ("ffconcat version 1.0\nfile astronaut.png\n",
                 "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/seg.ts\n#EXT-X-ENDLIST\n",
                 "<?xml version='1.0'?><MPD xmlns='urn:mpeg:dash:schema:mpd:2011'><BaseURL>http://127.0.0.1:9/</BaseURL></MPD>",
                 "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 45000 RTP/AVP 96\n"):
        body = {"Image": {"Bytes": base64.b64encode(text.encode()).decode()}}
        assert_raw_error(raw(server, "DetectFaces", body, timeout=20), "InvalidImageFormatException")
    # A folder named as an object is not an object.
    for name in (".", "sub/", "sub"):
        r = raw(server, "DetectFaces", {"Image": {"S3Object": {"Bucket": "photos", "Name": name}}})
        assert r.status == 400 and r.json().get("__type") in ("InvalidS3ObjectException",), "%s: %r" % (name, r)
    assert_alive(client)
    verify_shapes()


def test_body_limits_by_operation(server, client):
    """An operation without images takes at most 1 MB; one with an image 8 MB; CompareFaces 16 MB."""
    big = b'{"NextToken": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert_raw_error(raw(server, "ListCollections", big), "InvalidParameterException")
    assert_alive(client)
    verify_shapes()


def test_long_collection_ids_page(client):
    """CollectionIds of 255 characters: every NextToken fits the API's 255 characters and the pages
    cover each collection once."""
    stem = uid("long")
    ids = sorted((stem + "-" + str(i) + "x" * 255)[:255] for i in range(3))
    for cid in ids:
        client.create_collection(CollectionId=cid)
    seen, token, tokens = [], None, []
    while True:
        page = client.list_collections(MaxResults=1, **({"NextToken": token} if token else {}))
        seen += page["CollectionIds"]
        token = page.get("NextToken")
        if not token:
            break
        tokens.append(token)
        assert len(token) <= 255, token
        assert len(tokens) < 100, "NextToken does not advance: %s" % tokens[-3:]
    assert [c for c in seen if c.startswith(stem)] == ids
    for cid in ids:
        client.delete_collection(CollectionId=cid)
    verify_shapes()


def test_invalid_base64(server, client):
    for bad in ("!!!! not base64 ????", "QUJD=QUJD", "A"):
        assert_raw_error(raw(server, "DetectFaces", {"Image": {"Bytes": bad}}), "InvalidParameterException")
    assert_alive(client)
    verify_shapes()


TRAVERSALS = [
    pytest.param({"Bucket": "photos", "Name": "../outside.jpg"}, id="dotdot-name"),
    pytest.param({"Bucket": "photos", "Name": "../../outside.jpg"}, id="dotdot-dotdot-name"),
    pytest.param({"Bucket": "photos", "Name": "sub/../../../outside.jpg"}, id="nested-dotdot"),
    pytest.param({"Bucket": "photos", "Name": "/etc/passwd"}, id="absolute-name"),
    pytest.param({"Bucket": "..", "Name": "outside.jpg"}, id="dotdot-bucket"),
    pytest.param({"Bucket": "../elsewhere", "Name": "astronaut.png"}, id="dotdot-bucket-path"),
    pytest.param({"Bucket": "photos/..", "Name": "outside.jpg"}, id="bucket-slash-dotdot"),
    pytest.param({"Bucket": "photos", "Name": "escape.jpg"}, id="symlink-out"),
    pytest.param({"Bucket": "linked-bucket", "Name": "astronaut.png"}, id="symlinked-bucket-out"),
]


@pytest.mark.parametrize("obj", TRAVERSALS)
def test_s3_path_traversal(server, client, data, obj):
    cid = uid("traversal")
    client.create_collection(CollectionId=cid)
    # A two-character Bucket ('..') breaks the API's S3Bucket constraint (3 to 255 characters), so the
    # service's InvalidParameterException is as right as InvalidS3ObjectException there: both refuse.
    allowed = {"InvalidS3ObjectException"} | ({"InvalidParameterException"} if len(obj["Bucket"]) < 3 else set())
    requests = [(op, dict(extra, Image={"S3Object": obj})) for op, extra in
                (("DetectFaces", {}), ("IndexFaces", {"CollectionId": cid}), ("SearchFacesByImage", {"CollectionId": cid}))]
    requests.append(("StartFaceDetection", {"Video": {"S3Object": obj}}))
    for op, body in requests:
        r = raw(server, op, body)
        doc = r.json()
        assert r.status == 400 and doc.get("__type") in allowed and doc.get("message"), \
            "%s %s: expected HTTP 400 %s, got %r" % (op, json.dumps(body), " or ".join(sorted(allowed)), r)
    assert client.describe_collection(CollectionId=cid)["FaceCount"] == 0
    assert_alive(client)
    verify_shapes()


def test_s3_objects_inside_root(server, client):
    # Controls for the traversal test: the same kind of requests work when they stay inside DIR.
    r = raw(server, "DetectFaces", {"Image": {"S3Object": {"Bucket": "photos", "Name": "astronaut.png"}}})
    assert r.status == 200 and len(r.json()["FaceDetails"]) == 1, r
    r = raw(server, "DetectFaces", {"Image": {"S3Object": {"Bucket": "photos", "Name": "alias.png"}}})
    assert r.status == 200 and len(r.json()["FaceDetails"]) == 1, "a link inside the root is allowed: %r" % r
    assert_raw_error(raw(server, "DetectFaces", {"Image": {"S3Object": {"Bucket": "photos", "Name": "nothing.png"}}}),
                     "InvalidS3ObjectException")
    assert_alive(client)
    verify_shapes()


# ============================================================================================
# 7. Concurrency
# ============================================================================================

def test_concurrent_requests(server, data):
    n = 8
    clients = [make_client(server.endpoint) for _ in range(n)]
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def work(i):
        try:
            barrier.wait(30)
            faces = clients[i].detect_faces(Image={"Bytes": data.bytes["astronaut.png"]})["FaceDetails"]
            listed = clients[i].list_collections()["CollectionIds"]
            results[i] = (len(faces), isinstance(listed, list))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append("thread %d: %r" % (i, exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not any(t.is_alive() for t in threads), "requests still running after 180 s"
    assert not errors, errors
    assert results == [(1, True)] * n, results
    verify_shapes()


# ============================================================================================
# 8. Crash and restart
# ============================================================================================

def test_crash_and_restart(workdir, data):
    first = Server(workdir, data.s3)
    second = None
    try:
        c1 = make_client(first.endpoint)
        cid = uid("crash")
        c1.create_collection(CollectionId=cid)
        face = index_one(c1, data, cid, "astronaut.png", "eileen")
        job = c1.start_face_detection(Video=s3("videos", "face-zoom.mp4"), JobTag="crash")["JobId"]
        first.crash()
        assert first.proc.returncode == -signal.SIGKILL
        second = Server(workdir, data.s3, home=first.home)
        c2 = make_client(second.endpoint)
        assert cid in c2.list_collections()["CollectionIds"]
        faces = c2.list_faces(CollectionId=cid)["Faces"]
        assert [(f["FaceId"], f["ExternalImageId"]) for f in faces] == [(face, "eileen")]
        assert c2.describe_collection(CollectionId=cid)["FaceCount"] == 1
        wait_job(c2.get_face_detection, job)
        r = c2.get_face_detection(JobId=job)
        assert r["JobStatus"] == "SUCCEEDED" and r["JobTag"] == "crash" and len(r["Faces"]) > 3, r["JobStatus"]
        # The command-line verbs see the same state.
        env = dict(os.environ, FACESCAN_HOME=str(first.home))
        cli = subprocess.run([str(BIN), "list-faces", "--collection-id", cid], capture_output=True, text=True, env=env)
        assert cli.returncode == 0, cli.stderr
        assert [f["FaceId"] for f in json.loads(cli.stdout)["Faces"]] == [face]
        # The restarted server is the same store: the crashed job is not duplicated, a new one works.
        assert c2.index_faces(CollectionId=cid, Image=s3("photos", "astronaut.png"))["FaceRecords"]
        assert c2.describe_collection(CollectionId=cid)["FaceCount"] == 2
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.stderr()[-2000:]
    verify_shapes()


# ============================================================================================
# 9. Signature V4
# ============================================================================================

def test_sigv4(workdir, data):
    srv = Server(workdir, data.s3, "--access-key", "AK", "--secret-key", "SK")
    try:
        good = make_client(srv.endpoint, "AK", "SK")
        cid = uid("signed")
        assert good.create_collection(CollectionId=cid)["StatusCode"] == 200
        assert cid in good.list_collections()["CollectionIds"]
        assert len(good.detect_faces(Image={"Bytes": data.bytes["astronaut.png"]})["FaceDetails"]) == 1

        wrong = make_client(srv.endpoint, "AK", "not-the-secret")
        assert_client_error(lambda: wrong.list_collections(), "InvalidSignatureException", 403)
        unknown = make_client(srv.endpoint, "SOMEONE-ELSE", "SK")
        assert_client_error(lambda: unknown.list_collections(), "UnrecognizedClientException", 403)
        # The default test credentials are not the server's either.
        assert_client_error(lambda: make_client(srv.endpoint).list_collections(), "UnrecognizedClientException", 403)

        assert_raw_error(raw(srv, "ListCollections", b"{}"), "MissingAuthenticationTokenException", 403)
        assert_raw_error(raw(srv, "ListCollections", b"{}", headers={"Authorization": "AWS4-HMAC-SHA256 garbage"}),
                         "IncompleteSignatureException", 403)
        # Nothing was done by the refused requests.
        assert good.list_collections()["CollectionIds"] == [cid]
    finally:
        assert srv.stop() == 0, srv.stderr()[-2000:]
    verify_shapes()


def test_public_host_requires_keys(workdir, data):
    home = workdir / "home-public"
    home.mkdir()
    env = dict(os.environ, FACESCAN_HOME=str(home))
    argv = [str(BIN), "serve", "--host", "0.0.0.0", "--port", "0", "--s3-root", str(data.s3)]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=15)
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        pytest.fail("facescan serve --host 0.0.0.0 without keys kept running")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == "", r.stdout
    err = json.loads(r.stderr)  # exactly one JSON document
    assert err["__type"] == "InvalidParameterException", err
    verify_shapes()


# ============================================================================================
# 10. aws-cli
# ============================================================================================

def test_aws_cli(server, data):
    aws = shutil.which("aws")
    if not aws:
        pytest.skip("the aws command (pip install awscli) is not installed")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1",
               AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)

    def run(*args, ok=True):
        r = subprocess.run([aws, "rekognition", *args, "--endpoint-url", server.endpoint, "--output", "json"],
                           capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert r.returncode == 0, "aws %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr)
            return json.loads(r.stdout)
        return r

    cid = uid("cli")
    out = run("create-collection", "--collection-id", cid)
    assert out["StatusCode"] == 200 and out["CollectionArn"].endswith("/" + cid)
    out = run("index-faces", "--collection-id", cid, "--image-bytes", "fileb://%s" % (data.s3 / "photos" / "astronaut.png"),
              "--external-image-id", "eileen")
    assert len(out["FaceRecords"]) == 1
    face = out["FaceRecords"][0]["Face"]["FaceId"]
    out = run("search-faces-by-image", "--collection-id", cid,
              "--image", json.dumps({"S3Object": {"Bucket": "photos", "Name": "astronaut.png"}}))
    assert [m["Face"]["ExternalImageId"] for m in out["FaceMatches"]] == ["eileen"], out
    assert out["FaceMatches"][0]["Similarity"] > 95
    out = run("list-faces", "--collection-id", cid)
    assert [(f["FaceId"], f["ExternalImageId"]) for f in out["Faces"]] == [(face, "eileen")], out
    out = run("describe-collection", "--collection-id", cid)
    assert out["FaceCount"] == 1
    r = run("describe-collection", "--collection-id", uid("missing"), ok=False)
    assert r.returncode != 0
    assert "ResourceNotFoundException" in r.stderr, r.stderr
    verify_shapes()


# ============================================================================================
# The shared store: two endpoints and a worker on one PostgreSQL database
# ============================================================================================

POSTGRES = os.environ.get("FACESCAN_TEST_POSTGRES")


@pytest.mark.skipif(not POSTGRES, reason="FACESCAN_TEST_POSTGRES is not set (make test starts a server)")
def test_shared_store_through_two_endpoints_and_a_worker(workdir, data, monkeypatch):
    """Two `facescan serve --store postgres://…` (as on two machines) and one `facescan worker`:
    a collection made through one endpoint is searched through the other, a job started on one is run
    by the worker in segments and read, page by page, from the other."""
    need(data.astro_messi, "the shared-store test")
    db = "clients_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", "-q", POSTGRES, "-c", "CREATE DATABASE " + db], check=True)
    parts = urllib.parse.urlsplit(POSTGRES)
    url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + db, parts.query, ""))
    monkeypatch.setenv("FACESCAN_SEGMENT_SECONDS", "1")
    one = Server(workdir, data.s3, "--store", url)
    two = Server(workdir, data.s3, "--store", url)
    worker = subprocess.Popen([str(BIN), "worker", "--store", url], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, FACESCAN_HOME=str(workdir / "worker-home")))
    try:
        a, b = make_client(one.endpoint), make_client(two.endpoint)
        a.create_collection(CollectionId="shared")
        index_one(a, data, "shared", "astronaut.png", "eileen")
        index_one(a, data, "shared", "messi5.jpg", "messi", QualityFilter="NONE")
        assert sorted(f["ExternalImageId"] for f in b.list_faces(CollectionId="shared")["Faces"]) == ["eileen", "messi"]

        token = uuid.uuid4().hex
        video = s3("videos", data.astro_messi)
        job = a.start_face_search(Video=video, CollectionId="shared", ClientRequestToken=token)["JobId"]
        assert b.start_face_search(Video=video, CollectionId="shared", ClientRequestToken=token)["JobId"] == job
        wait_job(b.get_face_search, job)
        persons, _ = all_pages(b.get_face_search, job, "Persons", 4)
        names = {m["Face"]["ExternalImageId"] for p in persons for m in p["FaceMatches"]}
        assert names == {"eileen", "messi"}, persons
        stamps = [p["Timestamp"] for p in persons]
        assert stamps == sorted(stamps) and stamps[0] < 1000 and stamps[-1] > 3000, stamps

        zoom = a.start_face_detection(Video=s3("videos", "face-zoom.mp4"))["JobId"]
        wait_job(b.get_face_detection, zoom)
        faces, pages = all_pages(a.get_face_detection, zoom, "Faces", 5)
        assert len(pages) > 1 and [f["Timestamp"] for f in faces] == sorted(f["Timestamp"] for f in faces)
        verify_shapes()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        assert one.stop() == 0 and two.stop() == 0

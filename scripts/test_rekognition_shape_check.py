"""Tests for rekognition_shape_check.py (run: python3 -m pytest -q scripts/test_rekognition_shape_check.py).

The validator is run as a subprocess, the way the Swift tests use it.  Constraints the
tests rely on (required members, min/max) are first confirmed against botocore's model.
"""

import copy
import json
import os
import subprocess
import sys

import pytest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rekognition_shape_check.py")

FACE = {
    "BoundingBox": {"Width": 0.25, "Height": 0.3, "Left": 0.4, "Top": 0.1},
    "Landmarks": [{"Type": "eyeLeft", "X": 0.45, "Y": 0.2}, {"Type": "nose", "X": 0.5, "Y": 0.3}],
    "Pose": {"Roll": 1.5, "Yaw": -10, "Pitch": 3.25},
    "Quality": {"Brightness": 60.5, "Sharpness": 90},
    "Confidence": 99.9,
}
FULL = {
    "JobStatus": "SUCCEEDED",
    "VideoMetadata": {"Codec": "h264", "DurationMillis": 6000, "Format": "QuickTime / MOV",
                      "FrameRate": 25.0, "FrameHeight": 720, "FrameWidth": 1280,
                      "ColorRange": "LIMITED"},
    "Faces": [{"Timestamp": t, "Face": copy.deepcopy(FACE)} for t in (0, 40)],
}
REQUEST = {
    "Video": {"S3Object": {"Bucket": "my-bucket", "Name": "videos/face.mp4"}},
    "ClientRequestToken": "token-1", "FaceAttributes": "ALL", "JobTag": "run_1",
    "NotificationChannel": {"SNSTopicArn": "arn:aws:sns:us-east-1:123456789012:done",
                            "RoleArn": "arn:aws:iam::123456789012:role/rekognition"},
}


def run(*args, doc=None, text=None):
    """Runs the tool on a document (JSON-encoded) or raw text given on stdin."""
    if doc is not None:
        text = json.dumps(doc)
    return subprocess.run([sys.executable, TOOL, *args], input=text if text is not None else "",
                          capture_output=True, text=True, timeout=60)


def problems(result):
    lines = result.stdout.splitlines()
    assert lines and lines[-1] == "%d problems" % (len(lines) - 1), result.stdout
    return lines[:-1]


def assert_invalid(result, *fragments, count=None):
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    found = problems(result)
    if count is not None:
        assert len(found) == count, found
    for fragment in fragments:
        assert any(fragment in line for line in found), (fragment, found)
    return found


def assert_ok(result):
    assert (result.returncode, result.stdout) == (0, "ok\n"), (result.stdout, result.stderr)


def assert_usage(result, fragment=""):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert fragment in result.stderr


def with_change(doc, change):
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


@pytest.fixture(scope="module")
def shapes():
    import botocore.loaders
    return botocore.loaders.Loader().load_service_model("rekognition", "service-2")["shapes"]


# Valid documents

@pytest.mark.parametrize("doc", [{}, {"JobStatus": "SUCCEEDED"}, {"JobStatus": "IN_PROGRESS",
                                                                  "Faces": []}])
def test_minimal_get_face_detection_is_valid(doc):
    assert_ok(run("GetFaceDetection", "-", doc=doc))


def test_realistic_get_face_detection_is_valid():
    assert_ok(run("GetFaceDetection", doc=FULL))


def test_file_argument(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(FULL))
    assert_ok(run("GetFaceDetection", str(path)))


def test_several_problems_are_all_reported():
    doc = with_change(FULL, lambda d: d.update(JobStatus="DONE", Extra=1))
    assert_invalid(run("GetFaceDetection", doc=doc), "$.JobStatus:", "$.Extra:", count=2)


# Structures

def test_unknown_member():
    doc = with_change(FULL, lambda d: d["Faces"][1]["Face"].update(Smiling=True))
    assert_invalid(run("GetFaceDetection", doc=doc), "$.Faces[1].Face.Smiling: unknown member",
                   count=1)


def test_missing_required_member_in_response(shapes):
    assert "JobId" in shapes["StartMediaAnalysisJobResponse"]["required"]
    assert_invalid(run("StartMediaAnalysisJob", doc={}), "$.JobId: missing required", count=1)
    assert_ok(run("StartMediaAnalysisJob", doc={"JobId": "job-1"}))


def test_missing_required_member_nested_in_request(shapes):
    assert "RoleArn" in shapes["NotificationChannel"]["required"]
    doc = with_change(REQUEST, lambda d: d["NotificationChannel"].pop("RoleArn"))
    assert_invalid(run("--request", "StartFaceDetection", doc=doc),
                   "$.NotificationChannel.RoleArn: missing required", count=1)


def test_top_level_must_be_an_object():
    for text in ("[]", "[1]", "3", '"ok"', "null"):
        assert_invalid(run("GetFaceDetection", text=text), "$: expected a JSON object", count=1)


# Types

@pytest.mark.parametrize("change, path", [
    (lambda d: d["Faces"][0]["Face"]["BoundingBox"].update(Width="0.25"),
     "$.Faces[0].Face.BoundingBox.Width: expected float"),
    (lambda d: d.update(Faces={"Face": FACE}), "$.Faces: expected list"),
    (lambda d: d["Faces"][0].update(Face=[FACE]), "$.Faces[0].Face: expected structure"),
    (lambda d: d.update(JobStatus=1), "$.JobStatus: expected string"),
    (lambda d: d.update(StatusMessage=None), "$.StatusMessage: expected string"),
    (lambda d: d["Faces"][0].update(Timestamp="0"), "$.Faces[0].Timestamp: expected long"),
])
def test_wrong_type(change, path):
    assert_invalid(run("GetFaceDetection", doc=with_change(FULL, change)), path, count=1)


def test_bool_is_not_an_integer_or_a_number():
    doc = with_change(FULL, lambda d: d["VideoMetadata"].update(FrameWidth=True))
    assert_invalid(run("GetFaceDetection", doc=doc), "$.VideoMetadata.FrameWidth: expected long",
                   count=1)
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"].update(Confidence=False))
    assert_invalid(run("GetFaceDetection", doc=doc), "Confidence: expected float", count=1)


def test_integer_is_not_a_boolean():
    doc = {"Persons": [{"Person": {"Face": {"Smile": {"Value": 1, "Confidence": 90}}}}]}
    assert_invalid(run("GetFaceSearch", doc=doc), "Smile.Value: expected boolean", count=1)


def test_integers_must_be_written_as_integers():
    doc = with_change(FULL, lambda d: d["VideoMetadata"].update(FrameHeight=720.0))
    assert_invalid(run("GetFaceDetection", doc=doc), "FrameHeight: expected long", count=1)


def test_floats_accept_integers():
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"].update(Confidence=100))
    assert_ok(run("GetFaceDetection", doc=doc))


# Enums, ranges, lengths, patterns

def test_bad_enum():
    doc = with_change(FULL, lambda d: d.update(JobStatus="DONE"))
    assert_invalid(run("GetFaceDetection", doc=doc), '$.JobStatus: "DONE" is not one of', count=1)
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"]["Landmarks"][0].update(Type="EyeLeft"))
    assert_invalid(run("GetFaceDetection", doc=doc), "Landmarks[0].Type:", count=1)


def test_value_out_of_model_range(shapes):
    assert (shapes["Percent"]["min"], shapes["Percent"]["max"]) == (0, 100)
    assert (shapes["Degree"]["min"], shapes["Degree"]["max"]) == (-180, 180)
    for change, fragment in [
        (lambda d: d["Faces"][0]["Face"].update(Confidence=101), "Confidence: 101 is above max 100"),
        (lambda d: d["Faces"][0]["Face"].update(Confidence=-0.5), "Confidence: -0.5 is below min 0"),
        (lambda d: d["Faces"][0]["Face"]["Pose"].update(Yaw=-180.5), "Yaw: -180.5 is below min"),
        (lambda d: d["VideoMetadata"].update(DurationMillis=-1), "DurationMillis: -1 is below min"),
    ]:
        assert_invalid(run("GetFaceDetection", doc=with_change(FULL, change)), fragment, count=1)
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"].update(Confidence=100.0))
    assert_ok(run("GetFaceDetection", doc=doc))


def test_value_out_of_type_range():
    doc = with_change(FULL, lambda d: d["VideoMetadata"].update(DurationMillis=2 ** 63))
    assert_invalid(run("GetFaceDetection", doc=doc), "outside the long range", count=1)
    assert_ok(run("GetFaceDetection", doc=with_change(
        FULL, lambda d: d["VideoMetadata"].update(DurationMillis=2 ** 63 - 1))))
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"]["BoundingBox"].update(Left=1e39))
    assert_invalid(run("GetFaceDetection", doc=doc), "outside the float range", count=1)
    doc = {"Persons": [{"Person": {"Index": 2 ** 63}}]}  # PersonIndex is a long
    assert_invalid(run("GetFaceSearch", doc=doc), "outside the long range", count=1)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_rejected(literal):
    text = '{"Faces": [{"Face": {"Confidence": %s}}]}' % literal
    assert_invalid(run("GetFaceDetection", text=text), "is not a finite number", count=1)


def test_string_length(shapes):
    assert shapes["PaginationToken"]["max"] == 255
    assert_invalid(run("GetFaceDetection", doc={"NextToken": "x" * 256}),
                   "$.NextToken: string length 256 is above max 255", count=1)
    assert_ok(run("GetFaceDetection", doc={"NextToken": "x" * 255}))
    doc = with_change(REQUEST, lambda d: d["Video"]["S3Object"].update(Bucket="ab"))
    assert_invalid(run("--request", "StartFaceDetection", doc=doc),
                   "Bucket: string length 2 is below min 3", count=1)


def test_pattern_is_matched_against_the_whole_string():
    doc = with_change(REQUEST, lambda d: d.update(JobTag="run 1"))
    assert_invalid(run("--request", "StartFaceDetection", doc=doc),
                   '$.JobTag: "run 1" does not match pattern', count=1)


def test_pattern_python_cannot_compile_is_skipped_with_a_warning():
    result = run("--request", "CreateCollection", doc={"CollectionId": "c", "Tags": {"k": "v"}})
    assert_ok(result)
    assert "warning:" in result.stderr and "TagKey" in result.stderr


def test_map_values():
    result = run("--request", "CreateCollection", doc={"CollectionId": "c", "Tags": {"k": 5}})
    assert_invalid(result, '$.Tags["k"]: expected string', count=1)


# Blobs and timestamps

def test_blob_must_be_base64():
    doc = {"SessionId": "01234567-89ab-cdef-0123-456789abcdef", "Status": "SUCCEEDED",
           "ReferenceImage": {"Bytes": "aGVsbG8="}}
    assert_ok(run("GetFaceLivenessSessionResults", doc=doc))
    doc["ReferenceImage"]["Bytes"] = "not base64!"
    assert_invalid(run("GetFaceLivenessSessionResults", doc=doc), "Bytes: ", count=1)


@pytest.mark.parametrize("value, valid", [(1700000000, True), (1700000000.25, True),
                                          ("2024-01-02T03:04:05Z", True),
                                          ("2024-01-02T03:04:05.5+01:00", True),
                                          ("yesterday", False), (True, False)])
def test_timestamps(value, valid):
    doc = {"JobId": "j", "OperationsConfig": {}, "Status": "SUCCEEDED", "CreationTimestamp": value,
           "Input": {"S3Object": {}}, "OutputConfig": {"S3Bucket": "bucket"}}
    result = run("GetMediaAnalysisJob", doc=doc)
    if valid:
        assert_ok(result)
    else:
        assert_invalid(result, "$.CreationTimestamp:", count=1)


# --jsonl

def test_jsonl_line_numbers():
    text = "\n".join([json.dumps(FULL), "", json.dumps({"JobStatus": "DONE"}), "[]",
                      json.dumps({"JobStatus": "FAILED"})]) + "\n"
    found = assert_invalid(run("GetFaceDetection", "--jsonl", text=text), count=2)
    assert found[0].startswith("line 3: $.JobStatus: ")
    assert found[1].startswith("line 4: $: expected a JSON object")
    assert_ok(run("--jsonl", "GetFaceDetection", text=json.dumps(FULL) + "\n" + json.dumps({})))


def test_jsonl_line_that_is_not_json_is_a_usage_error():
    assert_usage(run("GetFaceDetection", "--jsonl", text='{}\n{"JobStatus": \n'), "line 2:")


def test_without_jsonl_two_documents_are_not_json():
    assert_usage(run("GetFaceDetection", text="{}\n{}\n"), "not JSON")


# --require

def test_require_present():
    for spec in ("Faces.Face.Pose", "Faces.Face.Landmarks.X", "Faces[].Face.Quality",
                 "VideoMetadata.ColorRange", "JobStatus"):
        assert_ok(run("GetFaceDetection", "--require", spec, doc=FULL))


def test_require_present_once_is_enough():
    doc = with_change(FULL, lambda d: d["Faces"][0]["Face"].pop("Pose"))
    assert_ok(run("GetFaceDetection", "--require", "Faces.Face.Pose", doc=doc))


def test_require_absent():
    result = run("GetFaceDetection", "--require", "Faces.Face.AgeRange",
                 "--require", "Faces.Face.Pose", doc=FULL)
    assert_invalid(result, "$.Faces.Face.AgeRange: required path is not present", count=1)
    result = run("GetFaceDetection", "--require", "Faces.Face.Pose", doc={"Faces": []})
    assert_invalid(result, "$.Faces.Face.Pose:", count=1)


def test_require_with_jsonl_applies_to_each_document():
    text = json.dumps(FULL) + "\n" + json.dumps({"JobStatus": "SUCCEEDED"}) + "\n"
    found = assert_invalid(run("GetFaceDetection", "--jsonl", "--require", "VideoMetadata",
                               text=text), count=1)
    assert found[0].startswith("line 2: $.VideoMetadata:")


@pytest.mark.parametrize("spec", ["Faces.Face.Nope", "Face", "JobStatus.Value", "Faces..Face", ""])
def test_require_unknown_path_is_a_usage_error(spec):
    assert_usage(run("GetFaceDetection", "--require", spec, doc=FULL), "--require")


# --request

def test_request_valid():
    assert_ok(run("--request", "StartFaceDetection", doc=REQUEST))
    assert_ok(run("--request", "StartFaceDetection", doc={"Video": {"S3Object": {}}}))
    assert_ok(run("--request", "GetFaceDetection", doc={"JobId": "abc-123", "MaxResults": 10}))


def test_request_invalid(shapes):
    assert "Video" in shapes["StartFaceDetectionRequest"]["required"]
    result = run("--request", "StartFaceDetection", doc={"FaceAttributes": "SOME", "Faces": []})
    assert_invalid(result, "$.Video: missing required", "$.FaceAttributes:", "$.Faces: unknown",
                   count=3)


def test_request_and_response_shapes_differ():
    assert_invalid(run("StartFaceDetection", doc=REQUEST), "unknown member")
    assert_invalid(run("--request", "GetFaceDetection", doc=FULL), "$.JobId: missing required")


# Usage errors and listing

def test_unknown_operation():
    assert_usage(run("GetFaceDetections", doc={}), "unknown operation")
    assert_usage(run("--request", "StartFaceDetect", doc={}), "unknown operation")


@pytest.mark.parametrize("text", ["", "not json", '{"JobStatus": ', "{'a': 1}", "\xff"])
def test_not_json(text):
    assert_usage(run("GetFaceDetection", text=text))


def test_bad_arguments():
    assert_usage(run())
    assert_usage(run("GetFaceDetection", "a.json", "b.json"))
    assert_usage(run("--request", "StartFaceDetection", "a.json", "b.json"))
    assert_usage(run("GetFaceDetection", "--no-such-option"))
    assert_usage(run("GetFaceDetection", "/nonexistent/doc.json"), "cannot read")


def test_list_operations():
    result = run("--list-operations")
    names = result.stdout.split()
    assert result.returncode == 0
    assert {"GetFaceDetection", "StartFaceDetection", "GetFaceSearch", "CompareFaces"} <= set(names)
    assert names == sorted(names)

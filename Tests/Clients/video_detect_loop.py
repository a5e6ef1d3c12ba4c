#!/usr/bin/env python3
"""AWS's VideoDetect example (GetFaceSearch / GetFaceDetection loops), ported to call the facescan CLI
instead of boto3: start a job, wait for it, then page with an empty NextToken first and a small
MaxResults until no token comes back, reading the results as the example does. Prints one JSON line
{"Persons"|"Faces": [...all items in page order...], "pages": N}.

  video_detect_loop.py FACESCAN search COLLECTION VIDEO SORT_BY MAX_RESULTS
  video_detect_loop.py FACESCAN detect VIDEO MAX_RESULTS
"""
import json
import subprocess
import sys
import time


def call(facescan, *args):
    r = subprocess.run([facescan, *args], capture_output=True, text=True)
    if r.returncode != 0:
        err = json.loads(r.stderr)  # exactly one JSON object on failure
        raise SystemExit("%s: %s" % (err["__type"], err["Message"]))
    return json.loads(r.stdout)


def main():
    facescan, kind = sys.argv[1], sys.argv[2]
    if kind == "search":
        collection, video, sort_by, max_results = sys.argv[3:7]
        job = call(facescan, "start-face-search", "--collection", collection, "--sample-rate", "2", video)["JobId"]
        get, key, extra = "get-face-search", "Persons", ["--sort-by", sort_by]
    else:
        video, max_results = sys.argv[3:5]
        job = call(facescan, "start-face-detection", "--sample-rate", "2", video)["JobId"]
        get, key, extra = "get-face-detection", "Faces", []
    # Wait for completion, as the example's SQS/SNS wait does.
    while call(facescan, get, "--job-id", job, "--max-results", "1")["JobStatus"] == "IN_PROGRESS":
        time.sleep(0.2)
    items, pages = [], 0
    pagination_token = ""
    finished = False
    while not finished:
        response = call(facescan, get, "--job-id", job, "--max-results", max_results, "--next-token", pagination_token, *extra)
        assert response["JobStatus"] == "SUCCEEDED", response
        assert "StatusMessage" not in response, response
        pages += 1
        for item in response[key]:
            if key == "Persons":
                # The example's guard: every PersonMatch has a Person; FaceMatches may be empty.
                assert "Person" in item and "FaceMatches" in item
                for match in item["FaceMatches"]:
                    assert match["Face"]["ExternalImageId"]
            else:
                face = item["Face"]
                # Code written for the service reads these of every DEFAULT face.
                _ = face["Pose"]["Yaw"], face["Landmarks"], face["Quality"]["Sharpness"], face["BoundingBox"]["Left"]
            items.append(item)
        if "NextToken" in response:
            pagination_token = response["NextToken"]
        else:
            finished = True
    print(json.dumps({key: items, "pages": pages}))


if __name__ == "__main__":
    main()

# A boto3 script written for Amazon Rekognition, run against `facescan serve`: the only change is
# endpoint_url. README.md shows this file; Tests/Clients/test_readme_example.py runs it.
import os
import time

import boto3

rekognition = boto3.client("rekognition", endpoint_url=os.environ.get("REKOGNITION_ENDPOINT", "http://127.0.0.1:9000"))
bucket = "media"

# A collection of known faces.
rekognition.create_collection(CollectionId="staff")
for name in ("eileen", "messi"):
    indexed = rekognition.index_faces(CollectionId="staff", ExternalImageId=name, QualityFilter="NONE",
                                      Image={"S3Object": {"Bucket": bucket, "Name": f"{name}.jpg"}})
    print("indexed", name, [r["Face"]["FaceId"] for r in indexed["FaceRecords"]])

# Who is this visitor? (image bytes, as from a camera)
with open("visitor.jpg", "rb") as f:
    found = rekognition.search_faces_by_image(CollectionId="staff", Image={"Bytes": f.read()})
for match in found["FaceMatches"]:
    print("visitor is", match["Face"]["ExternalImageId"], round(match["Similarity"], 1))


def wait(get, job_id):
    while True:
        response = get(JobId=job_id, MaxResults=1)
        if response["JobStatus"] != "IN_PROGRESS":
            return response
        time.sleep(1)


def pages(get, job_id, **kwargs):
    token = ""  # AWS's samples start with an empty NextToken
    while True:
        page = get(JobId=job_id, MaxResults=10, NextToken=token, **kwargs)
        yield page
        token = page.get("NextToken")
        if not token:
            return


video = {"S3Object": {"Bucket": bucket, "Name": "clip.mp4"}}

# When does each known person appear in the video?
job = rekognition.start_face_search(CollectionId="staff", Video=video, ClientRequestToken="clip-staff-1")
assert wait(rekognition.get_face_search, job["JobId"])["JobStatus"] == "SUCCEEDED"
for page in pages(rekognition.get_face_search, job["JobId"], SortBy="TIMESTAMP"):
    for person in page["Persons"]:
        names = [m["Face"]["ExternalImageId"] for m in person["FaceMatches"]]
        print(person["Timestamp"], "person", person["Person"]["Index"], names or "unknown")

# Every face in the video.
job = rekognition.start_face_detection(Video=video, FaceAttributes="ALL")
assert wait(rekognition.get_face_detection, job["JobId"])["JobStatus"] == "SUCCEEDED"
faces = [face for page in pages(rekognition.get_face_detection, job["JobId"]) for face in page["Faces"]]
print(len(faces), "faces detected")

try:
    rekognition.describe_collection(CollectionId="nobody")
except rekognition.exceptions.ResourceNotFoundException as e:
    print("as expected:", e.response["Error"]["Code"])

rekognition.delete_collection(CollectionId="staff")

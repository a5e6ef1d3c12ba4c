#!/usr/bin/env python3
"""Draws facescan's faces on the frames they were found in, to check results by eye.

usage: facescan detect VIDEO > out.json; scripts/draw_faces.py [--zoom] VIDEO out.json OUT.png [TIMESTAMP ...]
With --zoom, each frame is cropped to its first face (with a margin) and enlarged three times.
Needs the ffmpeg CLI and Pillow. Without timestamps, draws up to 4 frames spread over the video,
side by side. Boxes are green with the Confidence; landmarks, when present, are red dots.
"""
import json, subprocess, sys, io
from PIL import Image, ImageDraw

def start_time(video):
    """The video stream's start time: facescan's Timestamp 0 is the stream's first frame."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=start_time",
                          "-of", "csv=p=0", video], capture_output=True, text=True).stdout.strip()
    try:
        return float(out)
    except ValueError:
        return 0.0

def frame(video, ms):
    t = start_time(video) + ms / 1000 + 0.001
    png = subprocess.run(["ffmpeg", "-v", "error", "-i", video, "-ss", "%.3f" % t, "-frames:v", "1",
                          "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("RGB")

def main():
    zoom = "--zoom" in sys.argv
    if zoom:
        sys.argv.remove("--zoom")
    video, doc, out = sys.argv[1:4]
    faces = json.load(open(doc)).get("Faces", [])
    stamps = [int(t) for t in sys.argv[4:]] or sorted({f["Timestamp"] for f in faces})
    if not sys.argv[4:] and len(stamps) > 4:
        stamps = [stamps[i * (len(stamps) - 1) // 3] for i in range(4)]
    tiles = []
    for t in stamps or [0]:
        img = frame(video, t)
        d = ImageDraw.Draw(img)
        W, H = img.size
        for f in faces:
            if f["Timestamp"] != t:
                continue
            b = f["Face"]["BoundingBox"]
            x0, y0 = b["Left"] * W, b["Top"] * H
            d.rectangle([x0, y0, x0 + b["Width"] * W, y0 + b["Height"] * H], outline=(0, 255, 0), width=2)
            d.text((x0 + 2, y0 + 2), "%.0f" % f["Face"]["Confidence"], fill=(0, 255, 0))
        first = next((f for f in faces if f["Timestamp"] == t), None)
        if zoom and first:
            b = first["Face"]["BoundingBox"]
            m = 0.35
            box = (int((b["Left"] - m * b["Width"]) * W), int((b["Top"] - m * b["Height"]) * H),
                   int((b["Left"] + (1 + m) * b["Width"]) * W), int((b["Top"] + (1 + m) * b["Height"]) * H))
            img = img.crop(box)
            img = img.resize((img.size[0] * 3, img.size[1] * 3), Image.LANCZOS)
            d = ImageDraw.Draw(img)
            for f in faces:
                if f["Timestamp"] != t:
                    continue
                for lm in f["Face"].get("Landmarks", []):
                    x, y = (lm["X"] * W - box[0]) * 3, (lm["Y"] * H - box[1]) * 3
                    d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=(255, 0, 0))
                    d.text((x + 6, y - 6), lm["Type"], fill=(255, 255, 0))
        else:
            for f in faces:
                if f["Timestamp"] != t:
                    continue
                for lm in f["Face"].get("Landmarks", []):
                    x, y = lm["X"] * W, lm["Y"] * H
                    d.ellipse([x - 2, y - 2, x + 2, y + 2], fill=(255, 0, 0))
        d.text((4, 4), "%d ms" % t, fill=(255, 255, 0))
        tiles.append(img)
    h = max(i.size[1] for i in tiles)
    sheet = Image.new("RGB", (sum(i.size[0] for i in tiles), h))
    x = 0
    for i in tiles:
        sheet.paste(i, (x, 0)); x += i.size[0]
    sheet.save(out)

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The face_recognition library's answer to `facescan search`, for side-by-side benchmarks.

usage: scripts/face_recognition_search.py VIDEO FPS KNOWN_IMAGE...
Decodes VIDEO with the ffmpeg CLI, takes the same frames as facescan's sampling at FPS (the first frame
at or after each multiple of 1/FPS s of the video stream), and runs face_recognition's documented
video example on them: HOG face_locations, face_encodings, compare_faces with tolerance 0.6 against
the known images' encodings (named by file name). Prints one JSON line: frames analysed, frames with a
face, frames matched per name, seconds spent (after Python's start-up). Exit 3 when face_recognition
is not installed (pip install dlib-bin pillow numpy, then pip install --no-deps face_recognition
face_recognition_models).
"""
import json, os, subprocess, sys, time

def main():
    video, fps, known = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    try:
        import numpy as np
        import face_recognition
    except ImportError as e:
        print(json.dumps({"error": "face_recognition not installed: %s" % e}))
        sys.exit(3)
    t0 = time.time()
    names, encodings = [], []
    for path in known:
        img = face_recognition.load_image_file(path)
        enc = face_recognition.face_encodings(img)
        if enc:
            names.append(os.path.splitext(os.path.basename(path))[0]); encodings.append(enc[0])
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                       "stream=width,height", "-of", "json", video], capture_output=True, check=True).stdout)
    w, h = probe["streams"][0]["width"], probe["streams"][0]["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", video, "-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "-vsync", "passthrough", "-"],
                         capture_output=True, check=True).stdout
    times = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time",
                            "-of", "csv=p=0", video], capture_output=True, text=True, check=True).stdout.split()
    stamps = [float(t) for t in times if t.strip() and t != "N/A"]
    frame_bytes = w * h * 3
    count = min(len(raw) // frame_bytes, len(stamps))
    interval, next_t, frame_ms = 1.0 / fps, 0.0, 1.0 / 30
    analysed = with_face = 0
    matched = {n: 0 for n in names}
    for i in range(count):
        t = stamps[i] - stamps[0]
        if t + frame_ms / 2 < next_t:
            continue
        next_t = (int((t + frame_ms / 2) / interval) + 1) * interval
        frame = np.frombuffer(raw[i * frame_bytes:(i + 1) * frame_bytes], dtype=np.uint8).reshape(h, w, 3)
        analysed += 1
        locations = face_recognition.face_locations(frame)
        if locations:
            with_face += 1
        hits = set()
        for enc in face_recognition.face_encodings(frame, locations):
            for name, ok in zip(names, face_recognition.compare_faces(encodings, enc, tolerance=0.6)):
                if ok:
                    hits.add(name)
        for n in hits:
            matched[n] += 1
    print(json.dumps({"frames": analysed, "frames_with_face": with_face, "matched": matched, "seconds": round(time.time() - t0, 3)}))

if __name__ == "__main__":
    main()

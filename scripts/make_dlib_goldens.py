#!/usr/bin/env python3
"""Writes the dlib parity goldens of facescan's face descriptor into Tests/FaceScanTests/Goldens/dlib/.

For each photo (package-shipped: Debian opencv-doc's messi5.jpg, scikit-image 0.26.0's astronaut.png and
camera.png as scripts/fetch-test-photos.sh installs them, plus astronaut.png enlarged 3x by pixel
replication so that dlib's chip extraction goes through its image pyramid) it runs, with dlib-bin:

  * dlib's 5-point shape predictor on a rectangle (dlib's HOG detector's box where it finds the face,
    a fixed box otherwise; the rectangle is stored),
  * dlib.get_face_chip(image, shape, 150, 0.25) and dlib.get_face_chip_details(shape, 150, 0.25),
  * face_recognition_model_v1.compute_face_descriptor(image, shape) (the pipeline) and
    compute_face_descriptor(chip) (the network alone on dlib's chip),

and writes `<name>.chip.rgb` (150x150x3 bytes), `<name>.descriptor.f32` (128 float32, little-endian) and an
index `dlib_goldens.json` with the rectangle, the 5 points, the chip's rectangle and angle, and the SHA-256
of the decoded RGB image (the test checks that facescan decoded the same pixels).

A synthetic chip checks the network apart from alignment: 150x150x3 bytes from xorshift32 (13, 17, 5)
seeded 0x2545F491, each byte the state's top 8 bits, row-major RGB; its descriptor is
`synthetic.descriptor.f32`.

Images are decoded with the ffmpeg command-line tool and the conversion facescan's VideoReader uses
(swscale bilinear + accurate_rnd + full_chroma_int to rgb24), so that dlib sees facescan's pixels (a
JPEG decoded by PIL differs by up to 44 levels).

Needs: dlib-bin (`import dlib`), numpy, pillow, the ffmpeg CLI, and the models in
$FACESCAN_MODELS or ~/.cache/facescan/models (`facescan models fetch`).
"""
import hashlib
import json
import os
import sys

import dlib
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_images import decode  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FaceScanTests", "Goldens", "dlib")
MODELS = os.environ.get("FACESCAN_MODELS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "models")
PHOTOS = os.environ.get("FACESCAN_TEST_PHOTOS") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "facescan", "test-photos")
OPENCV = "/usr/share/doc/opencv-doc/examples/data"


def synthetic_chip():
    x = 0x2545F491
    out = bytearray(150 * 150 * 3)
    for i in range(len(out)):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x >> 24
    return np.frombuffer(bytes(out), np.uint8).reshape(150, 150, 3).copy()


def main():
    detector = dlib.get_frontal_face_detector()
    sp = dlib.shape_predictor(os.path.join(MODELS, "shape_predictor_5_face_landmarks.dat"))
    net = dlib.face_recognition_model_v1(os.path.join(MODELS, "dlib_face_recognition_resnet_model_v1.dat"))
    os.makedirs(OUT, exist_ok=True)

    astronaut = os.path.join(PHOTOS, "astronaut.png")
    cases = [
        # name, file, enlargement, fixed rectangle (None: dlib's HOG detector, upsampling once if needed)
        ("messi5", os.path.join(OPENCV, "messi5.jpg"), 1, None),
        ("astronaut", astronaut, 1, None),
        ("camera", os.path.join(PHOTOS, "camera.png"), 1, (200, 118, 271, 189)),
        ("astronaut_x3", astronaut, 3, None),
    ]
    entries = []
    for name, path, enlarge, fixed in cases:
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: install opencv-doc and run scripts/fetch-test-photos.sh")
        decoded = decode(path)
        img = np.repeat(np.repeat(decoded, enlarge, axis=0), enlarge, axis=1) if enlarge > 1 else decoded
        if fixed is not None:
            rect = dlib.rectangle(*fixed)
            source = "fixed"
        else:
            dets = []
            for upsample in (0, 1):
                dets = detector(img, upsample)
                if dets:
                    break
            if not dets:
                sys.exit(f"dlib's detector finds no face in {name}")
            rect = max(dets, key=lambda d: d.area())
            source = f"dlib HOG detector, upsample {upsample}"
        shape = sp(img, rect)
        chip = dlib.get_face_chip(img, shape, 150, 0.25)
        details = dlib.get_face_chip_details(shape, 150, 0.25)
        descriptor = np.array(net.compute_face_descriptor(img, shape), dtype=np.float64)
        from_chip = np.array(net.compute_face_descriptor(chip), dtype=np.float64)
        assert np.abs(descriptor - from_chip).max() < 1e-6, name
        open(os.path.join(OUT, f"{name}.chip.rgb"), "wb").write(np.ascontiguousarray(chip, np.uint8).tobytes())
        open(os.path.join(OUT, f"{name}.descriptor.f32"), "wb").write(descriptor.astype("<f4").tobytes())
        entries.append({
            "name": name,
            "photo": os.path.basename(path),
            "enlarge": enlarge,
            "image_sha256": hashlib.sha256(decoded.tobytes()).hexdigest(),
            "width": int(img.shape[1]), "height": int(img.shape[0]),
            "rectangle": [rect.left(), rect.top(), rect.right(), rect.bottom()],
            "rectangle_source": source,
            "points": [[p.x, p.y] for p in shape.parts()],
            "chip_rect": [details.rect.left(), details.rect.top(), details.rect.right(), details.rect.bottom()],
            "chip_angle": details.angle,
            "chip": f"{name}.chip.rgb",
            "descriptor": f"{name}.descriptor.f32",
        })
        print(f"{name}: rect {entries[-1]['rectangle']} ({source}), points {entries[-1]['points']}, "
              f"|descriptor| {np.linalg.norm(descriptor):.4f}")

    synthetic = net.compute_face_descriptor(synthetic_chip())
    open(os.path.join(OUT, "synthetic.descriptor.f32"), "wb").write(np.array(synthetic).astype("<f4").tobytes())
    index = {
        "generator": "scripts/make_dlib_goldens.py",
        "dlib_version": dlib.__version__,
        "padding": 0.25, "chip_size": 150,
        "synthetic": {"seed": 0x2545F491, "descriptor": "synthetic.descriptor.f32"},
        "photos": entries,
    }
    with open(os.path.join(OUT, "dlib_goldens.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print(f"wrote {len(entries)} photo goldens and the synthetic chip's descriptor to {OUT}")


if __name__ == "__main__":
    main()

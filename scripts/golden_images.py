"""What the golden scripts share: an image decoded as facescan decodes it."""
import subprocess
import sys

import numpy as np


def decode(path):
    """The image as facescan's VideoReader decodes it (FFmpeg, swscale bilinear + accurate_rnd + full_chroma_int to
    rgb24), HxWx3 uint8: a JPEG decoded by PIL differs by up to 44 levels."""
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", path], check=True, capture_output=True, text=True).stdout
    w, h = (int(v) for v in probe.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-sws_flags", "bilinear+accurate_rnd+full_chroma_int", "-"],
                         check=True, capture_output=True).stdout
    if len(raw) != w * h * 3:
        sys.exit(f"ffmpeg decoded {len(raw)} bytes from {path}, expected {w}x{h}x3")
    return np.frombuffer(raw, np.uint8).reshape(h, w, 3).copy()

import CFFmpeg

/// glibc's malloc gives a buffer above its mmap threshold (128 KB, raised as it goes up to 32 MB) back to
/// the kernel when it is freed, and the next one is faulted in and zeroed again page by page. Video frames
/// (6 MB each at 1080p, with their pyramids and model inputs) are made and freed many times a second:
/// keeping freed memory in the heap, for buffers up to 64 MB, lets the next frame reuse it. The same
/// frames are alive at once either way, so peak memory does not grow; `detect` on a 1080p copy of the
/// Hamilton clip takes 30% fewer page faults and about 4% less CPU (README, Performance).
public enum FrameMemory {
    /// Called once at start-up, before any work (`FaceScanMain.run`).
    public static func keepFreedBuffers() {
        cff_keep_freed_buffers(64 << 20, 256 << 20)
    }
}

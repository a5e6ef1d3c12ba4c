import Foundation

/// A collection and a video for the face-search tests, from photos that packages ship (scikit-image's
/// astronaut.png and camera.png in the test-photos cache, opencv-doc's messi5.jpg and fruits.jpg).
enum SearchFixtures {
    /// `$FACESCAN_TEST_PHOTOS`, else the cache `scripts/fetch-test-photos.sh` fills.
    static let photos: URL = {
        let env = ProcessInfo.processInfo.environment
        return URL(fileURLWithPath: env["FACESCAN_TEST_PHOTOS"] ?? ((env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/facescan/test-photos"))
    }()

    /// A new collection folder with astronaut and messi (camera.png is left out: a stranger).
    static func makeCollection() throws -> URL {
        let dir = TestSupport.scratch("collection")
        try FileManager.default.copyItem(at: photos.appendingPathComponent("astronaut.png"), to: dir.appendingPathComponent("eileen collins.png"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("messi"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestSupport.opencvData("messi5.jpg"), toPath: dir.appendingPathComponent("messi/1.jpg").path)
        return dir
    }

    /// One collection made by `makeCollection` for tests that only read it (indexed once, then cached).
    static let collection: URL = try! makeCollection()

    /// A folder with an image but no face in it.
    static func facelessCollection() throws -> URL {
        let dir = TestSupport.scratch("faceless")
        try FileManager.default.copyItem(atPath: TestSupport.opencvData("fruits.jpg"), toPath: dir.appendingPathComponent("fruit.jpg").path)
        return dir
    }

    /// 8 s at 5 fps: 0–2 s the astronaut (mirrored, smaller), 2–4 s fruit, 4–6 s the cameraman, 6–8 s
    /// the messi face from the zoom sample (a different picture of him than the collection's).
    static let video: String = {
        let dir = TestSupport.scratch("searchvideo")
        let out = dir.appendingPathComponent("people.mp4").path
        let astro = photos.appendingPathComponent("astronaut.png").path
        let camera = photos.appendingPathComponent("camera.png").path
        let zoom = TestSupport.repoRoot.appendingPathComponent("SampleVideos/face-zoom.mp4").path
        try! TestSupport.ffmpeg([
            "-loop", "1", "-t", "2", "-framerate", "5", "-i", astro,
            "-loop", "1", "-t", "2", "-framerate", "5", "-i", TestSupport.opencvData("fruits.jpg"),
            "-loop", "1", "-t", "2", "-framerate", "5", "-i", camera,
            "-ss", "4", "-t", "2", "-i", zoom,
            "-filter_complex",
            "[0:v]hflip,scale=360:360,pad=640:360:140:0,setsar=1,fps=5[a];[1:v]scale=640:360,setsar=1,fps=5[b];" +
            "[2:v]scale=360:360,pad=640:360:140:0,setsar=1,fps=5,format=yuv420p[c];[3:v]scale=640:360,setsar=1,fps=5[d];" +
            "[a][b][c][d]concat=n=4:v=1:a=0,format=yuv420p[v]",
            "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", out])
        return out
    }()

    /// 4.8 s at 5 fps in three parts of 1.6 s: the astronaut (mirrored, left of centre), the messi face
    /// of the zoom sample, the astronaut again (smaller, right of centre). She keeps her Index, so the
    /// Persons in INDEX order (hers first, then his) differ from TIMESTAMP order.
    static let revisitVideo: String = {
        let out = TestSupport.scratch("revisitvideo").appendingPathComponent("revisit.mp4").path
        let astro = photos.appendingPathComponent("astronaut.png").path
        let zoom = TestSupport.repoRoot.appendingPathComponent("SampleVideos/face-zoom.mp4").path
        try! TestSupport.ffmpeg([
            "-loop", "1", "-t", "1.6", "-framerate", "5", "-i", astro,
            "-ss", "4", "-t", "1.6", "-i", zoom,
            "-loop", "1", "-t", "1.6", "-framerate", "5", "-i", astro,
            "-filter_complex",
            "[0:v]hflip,scale=360:360,pad=640:360:140:0,setsar=1,fps=5[a];[1:v]scale=640:360,setsar=1,fps=5[b];" +
            "[2:v]scale=300:300,pad=640:360:320:40,setsar=1,fps=5[c];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]",
            "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", out])
        return out
    }()
}

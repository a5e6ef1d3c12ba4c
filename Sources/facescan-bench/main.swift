import FaceScan
import Foundation

// `make bench`: the models against LiteRT, the face descriptor against dlib, `detect` end to end
// against decode-only time, `search` against the face_recognition library.
// FACESCAN_BENCH_ONLY=models|descriptor|videos|search runs one part.
let only = ProcessInfo.processInfo.environment["FACESCAN_BENCH_ONLY"]
if only == nil || only == "models" { runModelBenchmarks(modelsDirectory: ModelStore().directory) }
if only == nil || only == "descriptor" { runDescriptorBenchmarks(modelsDirectory: ModelStore().directory) }
if only == nil || only == "videos" { runVideoBenchmarks() }
if only == nil || only == "search" { runSearchBenchmarks() }

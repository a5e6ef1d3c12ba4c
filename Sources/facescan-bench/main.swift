import FaceScan
import Foundation

// `make bench`: the models against LiteRT, the face descriptor against dlib, then `detect` end to end
// against decode-only time. FACESCAN_BENCH_ONLY=models|descriptor|videos runs one part.
let only = ProcessInfo.processInfo.environment["FACESCAN_BENCH_ONLY"]
if only == nil || only == "models" { runModelBenchmarks(modelsDirectory: ModelStore().directory) }
if only == nil || only == "descriptor" { runDescriptorBenchmarks(modelsDirectory: ModelStore().directory) }
if only == nil || only == "videos" { runVideoBenchmarks() }

// Shared by every harness (compiled into each fuzz binary by scripts/fuzz.sh).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FUZZ_VERBOSE=1: print what each input gave (to check seeds: `FUZZ_VERBOSE=1 .build-fuzz/bin/tflite Fuzz/Corpus/tflite/*`).
let fuzzVerbose = getenv("FUZZ_VERBOSE") != nil

func fuzzLog(_ message: @autoclosure () -> String) {
    if fuzzVerbose { print(message()) }
}

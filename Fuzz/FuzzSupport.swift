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

/// Runs `body` on a fuzz input: an error of type `E` is the parser's own answer to bad bytes (logged,
/// nil); any other error is a bug and stops the run as a crash.
func answer<T, E: Error>(_ what: String, _: E.Type, _ body: () throws -> T) -> T? {
    do {
        return try body()
    } catch let e as E {
        fuzzLog("\(what): \(e)")
        return nil
    } catch {
        fatalError("\(what) threw \(type(of: error)), not \(E.self): \(error)")
    }
}

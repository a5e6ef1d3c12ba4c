// libFuzzer harness: the JSON parser the job store reads its stored result items back with
// (`JSON(parsing:)`, Sources/FaceScan/Jobs/JSON+Parsing.swift). Built and run by scripts/fuzz.sh.
//
// Any bytes: a parsed value or an `APIError`, never a trap. A parsed value must render to text that
// parses again to the same value (the store writes what `rendered()` gives and reads it with this).
@testable import FaceScan

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let value = answer("JSON(parsing:)", APIError.self, { try JSON(parsing: text) }) else { return 0 }
    fuzzLog("parsed: \(value.rendered().prefix(120))")
    for pretty in [false, true] {
        let rendered = value.rendered(pretty: pretty)
        guard let again = try? JSON(parsing: rendered) else {
            fatalError("rendered value does not parse again: \(rendered.prefix(200))")
        }
        guard again == value else { fatalError("round trip changed the value: \(rendered.prefix(200))") }
    }
    return 0
}

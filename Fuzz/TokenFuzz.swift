// libFuzzer harness: the NextToken decoder (`PaginationToken.decode(_:key:)` and its Base64URL,
// Sources/FaceScan/Jobs/PaginationToken.swift). Built and run by scripts/fuzz.sh.
//
// The input is used three ways, none of which may trap:
// 1. as token text, decoded with a fixed key (what `get-face-detection --next-token` does);
// 2. as Base64URL text: what decodes must encode back to the same text (one spelling per token);
// 3. as the body of a token, signed with the key, so that the checks behind the MAC are reached too:
//    a body the decoder accepts must describe itself (its JobId's length byte and bytes), and the
//    token it gives must encode back to the same text.
@testable import FaceScan

let key: [UInt8] = Array("facescan fuzz key: 32 bytes long".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: input, as: UTF8.self)

    fuzzLog("as text: \(PaginationToken.decode(text, key: key).map { "\($0)" } ?? "rejected")")

    if let bytes = Base64URL.decode(text), Base64URL.encode(bytes) != text {
        fatalError("Base64URL: \(text.debugDescription) decodes, but encodes back as \(Base64URL.encode(bytes).debugDescription)")
    }

    var body = input
    body += Digest.hmacSHA256(key: key, message: body).prefix(PaginationToken.macLength)
    let signed = Base64URL.encode(body)
    let decoded = PaginationToken.decode(signed, key: key)
    fuzzLog("as signed body: \(decoded.map { "\($0)" } ?? "rejected")")
    if let token = decoded {
        let id = input.count > 7 ? Array(input[7...]) : []
        guard input.count > 7, input[0] == PaginationToken.version, Int(input[6]) == id.count else {
            fatalError("decode accepted a malformed body \(input)")
        }
        guard token.order == input[1], token.position >= 0, token.position <= Int(UInt32.max) else {
            fatalError("decode gave \(token) for body \(input)")
        }
        // A JobId of valid UTF-8 comes back byte for byte, and the token re-encodes to the same text.
        if String(validating: id, as: UTF8.self) != nil {
            guard Array(token.jobId.utf8) == id, token.encoded(key: key) == signed else {
                fatalError("token \(token) does not round-trip: \(signed)")
            }
        }
    } else if input.count > 7, input.count <= 175, input[0] == PaginationToken.version, Int(input[6]) == input.count - 7 {
        fatalError("decode rejected a well-formed signed body \(input)")
    }
    return 0
}

import FaceScan
import Foundation

/// Checks AWS Signature Version 4 on a request (the `Authorization: AWS4-HMAC-SHA256 Credential=…,
/// SignedHeaders=…, Signature=…` header boto3 and aws-cli send), against one access key and secret.
/// Signatures older or newer than 15 minutes are refused, as AWS refuses them.
struct SignatureV4: Sendable {
    let accessKey: String
    let secretKey: String

    struct Failure: Error {
        let name: String
        let message: String
    }

    /// The request as signed: method, path, query, header fields (lower-case names) and body.
    struct Request {
        var method: String
        var path: String
        var query: String
        var headers: [(String, String)]
        var body: [UInt8]
    }

    func verify(_ r: Request, now: Date = Date()) throws {
        func header(_ name: String) -> [String] { r.headers.filter { $0.0 == name }.map(\.1) }
        guard let auth = header("authorization").first else {
            throw Failure(name: "MissingAuthenticationTokenException", message: "the request is not signed (no Authorization header)")
        }
        guard auth.hasPrefix("AWS4-HMAC-SHA256 ") else {
            throw Failure(name: "IncompleteSignatureException", message: "only AWS4-HMAC-SHA256 signatures are accepted")
        }
        var fields: [String: String] = [:]
        for part in auth.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw Failure(name: "IncompleteSignatureException", message: "the Authorization header lacks Credential, SignedHeaders or Signature")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            throw Failure(name: "IncompleteSignatureException", message: "the credential scope is not KEY/DATE/REGION/SERVICE/aws4_request")
        }
        guard scope[0] == accessKey else {
            throw Failure(name: "UnrecognizedClientException", message: "the security token included in the request is invalid (unknown access key)")
        }
        guard let amzDate = header("x-amz-date").first, let signedAt = Self.parse(amzDate), amzDate.hasPrefix(scope[1]) else {
            throw Failure(name: "IncompleteSignatureException", message: "X-Amz-Date is missing or does not match the credential scope")
        }
        guard abs(signedAt.timeIntervalSince(now)) <= 15 * 60 else {
            throw Failure(name: "InvalidSignatureException", message: "signature expired: \(amzDate) is more than 15 minutes from the server's time")
        }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("host"), names == names.sorted() else {
            throw Failure(name: "IncompleteSignatureException", message: "SignedHeaders must include host and be sorted")
        }
        var canonicalHeaders = ""
        for n in names {
            let values = header(n)
            guard !values.isEmpty else { throw Failure(name: "IncompleteSignatureException", message: "signed header \(n) is missing") }
            canonicalHeaders += n + ":" + values.map(Self.trimmed).joined(separator: ",") + "\n"
        }
        let payloadHash = Digest.sha256(r.body).hexString
        if let claimed = header("x-amz-content-sha256").first, claimed != "UNSIGNED-PAYLOAD", claimed != payloadHash {
            throw Failure(name: "InvalidSignatureException", message: "X-Amz-Content-Sha256 does not match the body")
        }
        let canonical = [r.method, Self.canonicalPath(r.path), Self.canonicalQuery(r.query), canonicalHeaders, signedHeaders,
                         header("x-amz-content-sha256").first ?? payloadHash].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope[1...4].joined(separator: "/"),
                            Digest.sha256(Array(canonical.utf8)).hexString].joined(separator: "\n")
        var key = Array(("AWS4" + secretKey).utf8)
        for part in scope[1...4] { key = Digest.hmacSHA256(key: key, message: Array(part.utf8)) }
        let expected = Digest.hmacSHA256(key: key, message: Array(stringToSign.utf8)).hexString
        guard Self.equal(Array(expected.utf8), Array(signature.utf8)) else {
            throw Failure(name: "InvalidSignatureException",
                          message: "the request signature we calculated does not match the signature you provided; check your secret key")
        }
    }

    static func parse(_ amzDate: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.date(from: amzDate)
    }

    static func trimmed(_ v: String) -> String {
        v.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isASCII, c.isLetter || c.isNumber || "-_.~".contains(c) || (keepSlash && c == "/") { out.append(c) }
            else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    static func canonicalPath(_ path: String) -> String {
        let raw = path.removingPercentEncoding ?? path
        return raw.isEmpty ? "/" : encode(raw, keepSlash: true)
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        return query.split(separator: "&").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).removingPercentEncoding ?? String($0) }
            return (encode(kv[0], keepSlash: false), encode(kv.count > 1 ? kv[1] : "", keepSlash: false))
        }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Constant-time comparison.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var d: UInt8 = 0
        for i in a.indices { d |= a[i] ^ b[i] }
        return d == 0
    }
}

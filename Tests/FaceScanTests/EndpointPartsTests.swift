import Foundation
import Testing
@testable import FaceScan
@testable import FaceScanServer

/// Parts of the endpoint on their own: images read from memory, and Signature V4 checked against
/// signatures botocore makes.
@Suite struct EndpointPartsTests {
    @Test func imageBytesDecodeAsTheFileDoes() throws {
        let path = SearchFixtures.photos.appendingPathComponent("astronaut.png").path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let fromFile = try #require(try VideoReader(path: path).next())
        let reader = try VideoReader(bytes: bytes, name: "Image.Bytes")
        #expect(reader.isStillImage)
        let fromMemory = try #require(try reader.next())
        #expect(fromMemory.image.width == fromFile.image.width && fromMemory.image.pixels == fromFile.image.pixels)
        // Truncated, empty, not an image, too large.
        for (b, kind) in [(Array(bytes.prefix(100)), APIError.Kind.invalidImageFormat), ([], .invalidImageFormat),
                          (Array("hello, world".utf8), .invalidImageFormat),
                          ([UInt8](repeating: 7, count: VideoReader.maxImageBytes + 1), .imageTooLarge)] {
            do {
                let r = try VideoReader(bytes: b, name: "Image.Bytes")
                _ = try r.next()
                Issue.record("\(b.count) bytes must fail")
            } catch let e as APIError {
                #expect(e.kind == kind, "\(b.count) bytes: \(e)")
            }
        }
    }

    /// Headers botocore's SigV4Auth adds to a request (signed now), for `body`.
    static func botocoreHeaders(_ body: String, key: String, secret: String) throws -> [(String, String)] {
        let script = """
        import json, sys, botocore.auth, botocore.awsrequest, botocore.credentials
        r = botocore.awsrequest.AWSRequest(method='POST', url='http://127.0.0.1:9000/', data=sys.argv[1].encode(),
            headers={'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'RekognitionService.ListCollections'})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(sys.argv[2], sys.argv[3]), 'rekognition', 'us-east-1').add_auth(r)
        print(json.dumps(dict(r.headers.items())))
        """
        let r = try TestSupport.run(["/usr/bin/env", "python3", "-c", script, body, key, secret])
        guard r.status == 0 else { throw TestFailure("botocore could not sign: \(r.stderr)") }
        let h = try parseJSON(r.stdout)
        return h.map { ($0.key.lowercased(), $0.value as? String ?? "") } + [("host", "127.0.0.1:9000")]
    }

    @Test func signatureV4AsBotocoreSigns() throws {
        let key = "AKIDFACESCAN", secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        let body = #"{"MaxResults": 3}"#
        let headers = try Self.botocoreHeaders(body, key: key, secret: secret)
        let request = SignatureV4.Request(method: "POST", path: "/", query: "", headers: headers, body: Array(body.utf8))
        try SignatureV4(accessKey: key, secretKey: secret).verify(request)

        func failure(_ v: SignatureV4, _ r: SignatureV4.Request, now: Date = Date()) -> String? {
            do { try v.verify(r, now: now); return nil } catch let f as SignatureV4.Failure { return f.name } catch { return "\(error)" }
        }
        var tampered = request
        tampered.body = Array(#"{"MaxResults": 4}"#.utf8)
        #expect(failure(SignatureV4(accessKey: key, secretKey: secret), tampered) == "InvalidSignatureException")
        #expect(failure(SignatureV4(accessKey: key, secretKey: "other"), request) == "InvalidSignatureException")
        #expect(failure(SignatureV4(accessKey: "AKIDOTHER", secretKey: secret), request) == "UnrecognizedClientException")
        #expect(failure(SignatureV4(accessKey: key, secretKey: secret), request, now: Date().addingTimeInterval(3600)) == "InvalidSignatureException")
        var retargeted = request
        retargeted.headers = request.headers.map { $0.0 == "x-amz-target" ? ($0.0, "RekognitionService.DeleteCollection") : $0 }
        #expect(failure(SignatureV4(accessKey: key, secretKey: secret), retargeted) == "InvalidSignatureException", "X-Amz-Target is signed")
        var unsigned = request
        unsigned.headers = request.headers.filter { $0.0 != "authorization" }
        #expect(failure(SignatureV4(accessKey: key, secretKey: secret), unsigned) == "MissingAuthenticationTokenException")
    }
}

import Foundation
import Testing
@testable import FaceScan
@testable import FaceScanCLI

/// README.md, man/facescan.1 and --help agree with the command table and the error table.
@Suite struct DocumentationTests {
    static let readme = (try? String(contentsOf: TestSupport.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    @Test func committedManPageIsCurrent() throws {
        let committed = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("man/facescan.1"), encoding: .utf8)
        #expect(committed == ManPage.render(CommandTable.all), "man/facescan.1 is stale: run `make man`")
    }

    @Test func readmeStartsWithTheTwoCommands() {
        let firstBlock = Self.readme.components(separatedBy: "```").dropFirst().first ?? ""
        #expect(firstBlock.contains("make demo") && firstBlock.contains("make test"))
    }

    @Test func readmeNamesEveryCommandAndOption() {
        for c in CommandTable.all {
            #expect(Self.readme.contains("facescan \(c.name)"), "README does not show `facescan \(c.name)`")
            for o in c.options { #expect(Self.readme.contains("--\(o.name)"), "README does not mention --\(o.name)") }
        }
    }

    @Test func readmeHasTheExitStatusTable() {
        for k in APIError.Kind.allCases {
            #expect(Self.readme.contains("| \(k.exitCode) | \(k.rawValue) |"), "README exit table lacks \(k.exitCode) \(k.rawValue)")
        }
    }

    /// README's boto3 script is the file the endpoint tests run (Tests/Clients/test_readme_example.py).
    @Test func readmeShowsTheTestedBoto3Script() throws {
        let script = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("Tests/Clients/rekognition_example.py"), encoding: .utf8)
        #expect(Self.readme.contains("```python\n" + script + "```"), "README's boto3 script differs from Tests/Clients/rekognition_example.py")
    }

    @Test func everySampleVideoIsDescribed() throws {
        let samples = try FileManager.default.contentsOfDirectory(atPath: TestSupport.repoRoot.appendingPathComponent("SampleVideos").path)
        #expect(samples.filter { $0.hasSuffix(".mp4") }.count >= 4)
        for s in samples where s.hasSuffix(".mp4") { #expect(Self.readme.contains(s), "README does not describe \(s)") }
    }
}

import FaceScan

/// The members of a request document, read with the types and constraints botocore's Rekognition model
/// gives them. A member of the wrong JSON type is a SerializationException (as AWS's JSON services answer
/// it), one out of its documented range or pattern an InvalidParameterException, each naming the member.
struct RequestMembers {
    let operation: String
    let members: [(String, JSON)]

    init(operation: String, body: JSON) throws {
        self.operation = operation
        guard let m = body.members else { throw ProtocolError("SerializationException", "the \(operation) request body must be a JSON object") }
        members = m
    }

    func value(_ name: String) -> JSON? {
        guard let v = members.first(where: { $0.0 == name })?.1 else { return nil }
        if case .null = v { return nil }
        return v
    }

    func bad(_ name: String, _ what: String) -> APIError { APIError.invalidParameter("\(operation): \(name) \(what)") }

    func wrongType(_ name: String, _ what: String) -> ProtocolError { ProtocolError("SerializationException", "\(operation): \(name) \(what)") }

    func required<T>(_ name: String, _ read: (String) throws -> T?) throws -> T {
        guard let v = try read(name) else { throw bad(name, "is required") }
        return v
    }

    func string(_ name: String, min: Int = 0, max: Int = Int.max) throws -> String? {
        guard let v = value(name) else { return nil }
        guard case .string(let s) = v else { throw wrongType(name, "must be a string") }
        guard (min...max).contains(s.utf8.count) else { throw bad(name, "must be \(min) to \(max) characters long") }
        return s
    }

    func integer(_ name: String, min: Int, max: Int = Int.max) throws -> Int? {
        guard let v = value(name) else { return nil }
        let n: Int?
        switch v {
        case .integer(let i): n = Int(exactly: i)
        case .double(let d): n = d.rounded() == d ? Int(exactly: d) : nil
        default: n = nil
        }
        guard let n else {
            if case .integer = v { throw bad(name, "is out of range") }
            if case .double = v { throw bad(name, "must be a whole number") }
            throw wrongType(name, "must be a whole number")
        }
        guard n >= min, n <= max else { throw bad(name, max == Int.max ? "must be at least \(min), not \(n)" : "must be \(min) to \(max), not \(n)") }
        return n
    }

    func percent(_ name: String) throws -> Float? {
        guard let v = value(name) else { return nil }
        guard let d = v.number else { throw wrongType(name, "must be a number") }
        guard d >= 0, d <= 100 else { throw bad(name, "must be 0 to 100, not \(d)") }
        return Float(d)
    }

    func strings(_ name: String) throws -> [String]? {
        guard let v = value(name) else { return nil }
        guard case .array(let items) = v else { throw wrongType(name, "must be a list of strings") }
        return try items.map { item in
            guard case .string(let s) = item else { throw wrongType(name, "must be a list of strings") }
            return s
        }
    }

    func choice(_ name: String, _ values: [String]) throws -> String? {
        guard let s = try string(name) else { return nil }
        guard values.contains(s) else { throw bad(name, "must be one of \(values.joined(separator: ", ")), not \"\(s)\"") }
        return s
    }

    func object(_ name: String) throws -> RequestMembers? {
        guard let v = value(name) else { return nil }
        guard v.members != nil else { throw wrongType(name, "must be an object") }
        return try RequestMembers(operation: "\(operation): \(name)", body: v)
    }

    /// A `ClientRequestToken`: `^[a-zA-Z0-9-_]+$`, 1 to 64 characters.
    func clientRequestToken() throws -> String? {
        guard let t = try string("ClientRequestToken", min: 1, max: 64) else { return nil }
        guard JobStore.isValidId(t) else { throw bad("ClientRequestToken", "must be letters, digits, - and _") }
        return t
    }
}

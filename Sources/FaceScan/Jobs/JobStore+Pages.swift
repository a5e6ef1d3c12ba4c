/// Get operations: a page of a job's results, with NextToken.
extension JobStore {
    /// MaxResults when none is given, and the most a page holds (a larger MaxResults serves this many).
    public static let maxPageSize = 1000

    /// The page size for a MaxResults: 1000 when absent, at most 1000.
    /// - Throws: InvalidParameterException below 1.
    public static func pageSize(_ maxResults: Int?) throws -> Int {
        guard let maxResults else { return maxPageSize }
        guard maxResults >= 1 else { throw APIError.invalidParameter("MaxResults must be at least 1, not \(maxResults)") }
        return min(maxResults, maxPageSize)
    }

    /// A Get operation's response: the job's status, VideoMetadata and, once it SUCCEEDED, one page of its
    /// results in the `sortBy` order from the NextToken's position.
    /// - Throws: ResourceNotFoundException (no such job, or a job of another operation),
    ///   InvalidPaginationTokenException (a token modified, truncated, or issued for another job or order),
    ///   InvalidParameterException (MaxResults below 1, an unknown SortBy).
    public func page(_ id: String, operation: VideoJobOperation, sortBy: String? = nil, maxResults: Int? = nil,
                     nextToken: String? = nil) throws -> VideoJobPageResponse {
        let limit = try Self.pageSize(maxResults)
        let order = try operation.sortOrder(sortBy)
        let r = try record(id)
        guard r.request.api == operation.startAPI else {
            throw APIError(.resourceNotFound, "job \(id) was started by \(r.request.api), not \(operation.startAPI); \(operation.getAPI) does not know it")
        }
        var position = 0
        // An empty NextToken is the first page, as the service reads it.
        if let nextToken, !nextToken.isEmpty { position = try self.position(of: nextToken, jobId: id, order: order, operation: operation) }
        guard r.status == .succeeded else {
            return try response(r, operation: operation, order: order, position: 0, limit: 0, available: 0)
        }
        guard let count = r.itemCount else {
            throw APIError(.internalServerError, "the record of job \(id) is damaged (no item count); delete the job with `facescan delete-job --job-id \(id)`")
        }
        guard position <= count else {
            throw APIError(.invalidPaginationToken, "NextToken points past the \(count) results of job \(id)")
        }
        return try response(r, operation: operation, order: order, position: position, limit: limit, available: count)
    }

    /// Checks a NextToken and returns its position.
    func position(of text: String, jobId: String, order: Int, operation: VideoJobOperation) throws -> Int {
        let shown = text.count > 24 ? String(text.prefix(20)) + "…" : text
        guard let key = try backend.secretKey(create: false), let token = PaginationToken.decode(text, key: key) else {
            throw APIError(.invalidPaginationToken, "NextToken \"\(shown)\" was not issued by this job store: it was modified, truncated or comes from elsewhere")
        }
        guard token.jobId == jobId else {
            throw APIError(.invalidPaginationToken, "NextToken \"\(shown)\" belongs to job \(token.jobId), not to job \(jobId)")
        }
        guard token.order == order else {
            let theirs = Int(token.order) < operation.sortOrders.count ? operation.sortOrders[Int(token.order)] : "another"
            throw APIError(.invalidPaginationToken, "NextToken \"\(shown)\" belongs to the \(theirs) sort order, not \(operation.sortOrders[order])")
        }
        return token.position
    }

    /// The response for `r` in its current status, with items `position ..< position + limit` of the
    /// `available` ones stored (none unless `limit` > 0), and a NextToken when more are available.
    /// Used by `page` (a SUCCEEDED job) and by a job running in this process that prints pages as soon
    /// as they are complete (`available` = items written so far).
    public func response(_ r: JobRecord, operation: VideoJobOperation, order: Int, position: Int, limit: Int,
                  available: Int) throws -> VideoJobPageResponse {
        var items: [JSON] = []
        var next: String? = nil
        if limit > 0 {
            let end = min(available, position + limit)
            items = try backend.items(r.jobId, count: available, order: order == 0 ? nil : operation.sortOrders[order], from: position, n: end - position)
                .map { try JSON(parsing: $0) }
            if end < available, let key = try backend.secretKey(create: true) {
                next = PaginationToken(jobId: r.jobId, order: UInt8(order), position: end).encoded(key: key)
            }
        }
        return VideoJobPageResponse(jobStatus: r.status, statusMessage: r.status == .inProgress ? nil : r.reportedStatusMessage, videoMetadata: r.videoMetadata,
                                    nextToken: next, itemsKey: operation.itemsKey, items: items,
                                    nextTokenFirst: operation.nextTokenFirst, jobId: r.jobId, jobTag: r.request.jobTag,
                                    video: r.request.parameters["S3Bucket"].flatMap { b in r.request.parameters["S3Name"].map { (b, $0) } })
    }

    /// The whole result of a SUCCEEDED job as one response (no NextToken, JobId or JobTag: the merged
    /// output of `detect` and `search`), pretty-printed, handed to `write` a piece at a time: the items
    /// are read from the store a page at a time, so memory does not grow with the number of results.
    /// The text is exactly that of the response with every item, rendered at once.
    public func writeMerged(_ r: JobRecord, operation: VideoJobOperation, order: Int, write: (String) throws -> Void) throws {
        let count = r.itemCount ?? 0
        var head = try response(r, operation: operation, order: order, position: 0, limit: 0, available: 0)
        head.jobId = nil
        head.jobTag = nil
        guard count > 0 else { return try write(head.json.rendered(pretty: true)) }
        // The document around its items: rendered with one marker item, split there.
        let marker = "\u{1}items\u{1}"
        head.items = [.string(marker)]
        let text = head.json.rendered(pretty: true)
        let rendered = JSON.string(marker).rendered()
        guard let cut = text.range(of: rendered) else { throw APIError(.internalServerError, "cannot render the merged response") }
        try write(String(text[..<cut.lowerBound]))
        var position = 0
        while position < count {
            let page = try response(r, operation: operation, order: order, position: position, limit: Self.maxPageSize, available: count)
            for (k, item) in page.items.enumerated() {
                try write((position + k == 0 ? "" : ",\n    ") + item.rendered(pretty: true, depth: 2))
            }
            position += Self.maxPageSize
        }
        try write(String(text[cut.upperBound...]))
    }
}

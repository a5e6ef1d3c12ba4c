import Foundation

/// The local analogue of a job's SNS completion notification: `--notification-command CMD` is run once
/// when the job ends (SUCCEEDED or FAILED, including a worker found dead), as `/bin/sh -c CMD`, in the
/// directory the job was started in, in its own session, with the completion message on stdin:
///
/// ```json
/// {"JobId": "…", "Status": "SUCCEEDED", "API": "StartFaceDetection", "JobTag": "…",
///  "Timestamp": 1700000000000, "Video": {"S3ObjectName": "/abs/path/clip.mp4"}}
/// ```
///
/// Timestamp is the job's completion time in Unix epoch milliseconds, as in Rekognition's messages.
/// Video names the input file in S3ObjectName; there is no bucket, so S3Bucket is absent. A job started
/// through `facescan serve` with an S3Object has its S3ObjectName and S3Bucket instead. The message is
/// kept as `jobs/ID/notification.json` and the command's output (stdout and stderr) goes to
/// `jobs/ID/notification.log`. facescan does not wait for the command.
public enum JobNotifier {
    /// The completion message of an ended job.
    public static func message(_ r: JobRecord) -> JSON {
        .members([
            ("JobId", .string(r.jobId)),
            ("Status", .string(r.status.rawValue)),
            ("API", .string(r.request.api)),
            ("JobTag", r.request.jobTag.map { .string($0) }),
            ("Timestamp", .integer(r.completionTimestamp ?? StoreIO.nowMillis())),
            ("Video", .object(r.request.parameters["S3Bucket"].flatMap { bucket in
                r.request.parameters["S3Name"].map { [("S3ObjectName", .string($0)), ("S3Bucket", .string(bucket))] }
            } ?? [("S3ObjectName", .string(r.request.video))])),
        ])
    }

    /// Starts the job's notification command (without waiting for it). Failures to start it are written
    /// to the notification log: the job's outcome stands either way.
    static func send(_ r: JobRecord, directory: String) {
        guard let command = r.request.notificationCommand else { return }
        let messagePath = directory + "/notification.json", logPath = directory + "/notification.log"
        do {
            try StoreIO.writeAtomically(messagePath, Array((message(r).rendered() + "\n").utf8))
            _ = try DetachedProcess.spawn("/bin/sh", ["sh", "-c", command], stdin: messagePath, output: logPath,
                                          directory: r.workingDirectory)
        } catch {
            let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            if fd >= 0 {
                try? StoreIO.writeAll(fd, Array("facescan: cannot run the notification command: \(error)\n".utf8), path: logPath)
                close(fd)
            }
        }
    }
}

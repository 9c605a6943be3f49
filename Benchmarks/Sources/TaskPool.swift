/// Tasks updated round robin, with the version each must be at for the next update to succeed.
///
/// Versions are predicted (one more per update sent), which holds because a host applies one client's requests
/// on the same task in the order they were sent; a conflict puts the task back at the version the host reported.
struct TaskPool {
    private(set) var ids: [String]
    private var versions: [Int64]
    private var next = 0

    init(ids: [String], version: Int64 = 1) {
        self.ids = ids
        versions = Array(repeating: version, count: ids.count)
    }

    /// The next task to update: its index, id and expected version (counted as updated from now on).
    mutating func take() -> (index: Int, id: String, expectedVersion: Int64) {
        let index = next
        next = (next + 1) % ids.count
        versions[index] += 1
        return (index, ids[index], versions[index] - 1)
    }

    /// After a conflict: the version the host reported as current.
    mutating func resynchronize(_ index: Int, currentVersion: Int64) {
        versions[index] = currentVersion
    }

    /// `count` update requests with ids `0..<count`, round robin over the pool.
    mutating func updateRequests(_ count: Int, firstID: Int = 0) -> [[UInt8]] {
        (firstID..<firstID + count).map { id in
            let task = take()
            return Requests.updateTask(id: id, taskID: task.id, expectedVersion: task.expectedVersion)
        }
    }
}

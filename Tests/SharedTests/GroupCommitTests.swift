import Dispatch
import Glibc
import Testing

@testable import Shared

/// Test-only: a value handed to a thread the test coordinates itself (each store is used by one
/// thread at a time).
struct Handed<T>: @unchecked Sendable { let value: T }

/// Runs `body` on a new thread of its own (Dispatch's pool grows slowly past the cores while its
/// threads block, as writers waiting for a batch do); `join` waits for it.
final class TestThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &thread,
            nil,
            { argument in
                let this = Unmanaged<TestThread>.fromOpaque(argument!).takeRetainedValue()
                this.body()
                return nil
            },
            context
        )
    }

    func join() { pthread_join(thread, nil) }
}

struct GroupCommitTests {
    let directory = TemporaryDirectory()
    let wallet = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    func makeStore(_ gate: WriteGate) throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: gate)
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func click(_ codeID: Int64, ip: String) -> NewClick { .from(ip, on: codeID, at: 1_000) }

    /// Runs `first` as the leader of a batch and holds that batch until every one of `others` has
    /// been handed in (from its own thread and connection), so they all share the next commit.
    func batchBehind(
        _ gate: WriteGate,
        first: (store: ReferralStore, work: (SQLiteConnection) throws -> Void),
        others: [(store: ReferralStore, work: (SQLiteConnection) throws -> Void)]
    ) -> [Bool] {
        let started = DispatchSemaphore(value: 0)
        let succeeded = Handed(value: UnsafeMutableBufferPointer<Bool>.allocate(capacity: others.count))
        defer { succeeded.value.deallocate() }
        succeeded.value.initialize(repeating: false)
        let leader = Handed(value: first)
        let count = others.count
        var threads = [TestThread]()
        threads.append(
            TestThread {
                _ = try? gate.commitTogether(on: leader.value.store.connection) { connection in
                    started.signal()
                    for _ in 0..<5_000 where gate.group.waitingCount < count { usleep(1_000) }
                    try leader.value.work(connection)
                }
            }
        )
        started.wait()
        for (index, other) in others.enumerated() {
            let other = Handed(value: other)
            threads.append(
                TestThread {
                    let result = try? gate.commitTogether(on: other.value.store.connection, other.value.work)
                    succeeded.value[index] = result != nil
                }
            )
        }
        for thread in threads { thread.join() }
        return Array(succeeded.value)
    }

    /// Writes handed in while a batch runs wait for it, then commit together in the next one.
    @Test func writesArrivingDuringABatchShareTheNextCommit() throws {
        let gate = WriteGate()
        let leader = try makeStore(gate)
        let code = try #require(try leader.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        let clickSQL = "INSERT INTO clicks (code_id, ip, path, created_at) VALUES (\(code.id), 'a', '/', 1)"
        let others = try (0..<3).map { _ in
            (store: try makeStore(gate), work: { (connection: SQLiteConnection) in try connection.execute(clickSQL) })
        }
        let before = gate.group.commits.load(ordering: .relaxed)
        #expect(batchBehind(gate, first: (leader, { try $0.execute(clickSQL) }), others: others) == [true, true, true])
        #expect(gate.group.commits.load(ordering: .relaxed) - before == 2)
        #expect(try leader.connection.statement("SELECT count(*) FROM clicks").firstRow { $0.int(0) } == 4)
    }

    /// A write that fails alone (a constraint) gets its error; the others of its batch commit.
    @Test func aFailingWriteFailsAloneInItsBatch() throws {
        let gate = WriteGate()
        let store = try makeStore(gate)
        try store.connection.execute("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
        let insert = { (value: Int) in
            { (connection: SQLiteConnection) in try connection.execute("INSERT INTO t VALUES (\(value))") }
        }
        let others = try [1, 2, 3].map { (store: try makeStore(gate), work: insert($0)) }
        #expect(batchBehind(gate, first: (store, insert(0)), others: others) == [true, true, true])
        let mixed = try [4, 0, 5].map { (store: try makeStore(gate), work: insert($0)) }
        #expect(batchBehind(gate, first: (store, insert(6)), others: mixed) == [true, false, true])
        let values = try store.connection.statement("SELECT v FROM t ORDER BY v").rows { $0.int(0) }
        #expect(values == [0, 1, 2, 3, 4, 5, 6])
    }

    /// Many threads clicking from one address at once: the limit is exact, the numbering gapless,
    /// every click stored, and commits were shared.
    @Test func concurrentClicksKeepTheLimitExact() throws {
        let gate = WriteGate()
        let first = try makeStore(gate)
        let code = try #require(try first.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        let stores = Handed(value: try (0..<8).map { _ in try makeStore(gate) })
        let click = Handed(value: click(code.id, ip: "10.0.0.1"))
        let threads = (0..<8).map { index in
            TestThread {
                for _ in 0..<100 { _ = try? stores.value[index].recordClick(click.value, limitPerHour: 250) }
            }
        }
        for thread in threads { thread.join() }
        let rows = try first.connection.statement("SELECT count(*), count(counted_seq), max(counted_seq) FROM clicks")
            .firstRow { [$0.int(0), $0.int(1), $0.int(2)] }
        #expect(rows == [800, 250, 250])
        #expect(gate.group.writes.load(ordering: .relaxed) == 800)
    }
}

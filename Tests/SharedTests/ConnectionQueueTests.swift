import Glibc
import Testing

@testable import Shared

/// The queue between the acceptor and the workers: a worker takes what is waiting, up to its limit.
struct ConnectionQueueTests {
    @Test func aWorkerTakesEveryConnectionWaitingUpToItsLimitOldestFirst() {
        let queue = ConnectionQueue()
        queue.push([3, 4, 5])
        queue.push([6])
        #expect(queue.pop(limit: 3) == [3, 4, 5])
        #expect(queue.pop(limit: 3) == [6])
        queue.push([])
        queue.push([7])
        queue.close()
        #expect(queue.pop(limit: 3) == [7])
        #expect(queue.pop(limit: 3).isEmpty)
    }

    /// A worker blocked on an empty queue wakes for the next push, and leaves once it is closed.
    /// (A missing wake-up hangs the worker: the time limit turns that into a failure.)
    @Test(.timeLimit(.minutes(1))) func aWaitingWorkerWakesForAPushAndLeavesOnClose() {
        let queue = ConnectionQueue()
        let taken = Handed(value: Box())
        let worker = TestThread {
            while true {
                let fds = queue.pop(limit: 64)
                if fds.isEmpty { return }
                taken.value.append(fds)
            }
        }
        // Give the worker time to block on the empty queue first (ordering, not a timed assertion).
        usleep(50_000)
        queue.push([10, 11])
        queue.push([12])
        queue.close()
        worker.join()
        #expect(taken.value.fds == [10, 11, 12])
    }

    final class Box {
        var fds: [Int32] = []
        func append(_ more: [Int32]) { fds += more }
    }
}

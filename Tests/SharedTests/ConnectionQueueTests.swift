import CLinux
import Glibc
import Testing

@testable import Shared

/// The queue between the acceptor and the workers: a worker takes what is waiting, up to its limit,
/// and the queue's eventfd (which wakes workers in their epoll set) is readable exactly while a
/// push or the close has not been taken.
struct ConnectionQueueTests {
    @Test func aWorkerTakesEveryConnectionWaitingUpToItsLimitOldestFirst() throws {
        let queue = try ConnectionQueue()
        queue.push([3, 4, 5])
        queue.push([6])
        let first = queue.take(limit: 3)
        #expect(first.fds == [3, 4, 5] && first.more && !first.closed)
        let second = queue.take(limit: 3)
        #expect(second.fds == [6] && !second.more)
        queue.push([])
        queue.push([7])
        queue.close()
        let last = queue.take(limit: 3)
        #expect(last.fds == [7] && !last.more && last.closed)
        #expect(queue.take(limit: 3).fds.isEmpty)
    }

    @Test func itsEventfdWakesAnEpollWaiterForAPushAndForTheClose() throws {
        let queue = try ConnectionQueue()
        let set = try EpollSet()
        #expect(set.add(queue.readyFD, events: EpollSet.input | EpollSet.oneShot))
        var events = [epoll_event](repeating: epoll_event(), count: 4)
        #expect(set.wait(&events, timeout: 0) == 0)

        queue.push([10, 11])
        #expect(set.wait(&events, timeout: 1_000) == 1)
        #expect(events[0].data.fd == queue.readyFD)
        #expect(queue.take(limit: 64).fds == [10, 11])
        // Taken and armed again: nothing more to report.
        #expect(set.modify(queue.readyFD, events: EpollSet.input | EpollSet.oneShot))
        #expect(set.wait(&events, timeout: 0) == 0)

        // A push between a take and the re-arm is reported by the re-arm, not lost.
        queue.push([12])
        #expect(set.modify(queue.readyFD, events: EpollSet.input | EpollSet.oneShot))
        #expect(set.wait(&events, timeout: 1_000) == 1)
        #expect(queue.take(limit: 64).fds == [12])

        #expect(set.modify(queue.readyFD, events: EpollSet.input | EpollSet.oneShot))
        queue.close()
        #expect(set.wait(&events, timeout: 1_000) == 1)
        #expect(queue.take(limit: 64).closed)
    }
}

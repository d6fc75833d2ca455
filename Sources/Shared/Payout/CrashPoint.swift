@preconcurrency import Glibc

/// The moments of a solana payout (and of purchase verification) at which the end-to-end tests kill the process (SIGKILL, as a
/// power cut or an OOM kill would), to prove that a rerun pays every reward exactly once.
///
/// Armed only by `REFERRAL_PAYOUT_TEST_CRASH_AT`, which production never sets; unarmed, `reach`
/// is a comparison and nothing else.
public enum CrashPoint: String, Sendable, CaseIterable {
    /// Signed, inside the transaction that records it, before COMMIT.
    case afterSigning = "after-signing"
    /// Recorded durably, not yet sent.
    case afterRecording = "after-recording"
    /// Sent, not yet confirmed.
    case afterSending = "after-sending"
    /// Seen finalized, before its rewards are marked paid.
    case afterConfirming = "after-confirming"
    /// `verify`: a purchase's conversion and verified reference written, before COMMIT.
    case verifyBeforeCommit = "verify-before-commit"
    /// `verify`: a purchase committed, before the next reference.
    case verifyAfterCommit = "verify-after-commit"
}

/// The armed crash point, if any.
public struct CrashPoints: Sendable {
    let armed: CrashPoint?

    /// Reads `REFERRAL_PAYOUT_TEST_CRASH_AT` (unset: never crash).
    public init(environment: [String: String]) {
        armed = environment["REFERRAL_PAYOUT_TEST_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))
    }

    /// Dies at once with SIGKILL when `point` is the armed one.
    func reach(_ point: CrashPoint) {
        guard point == armed else { return }
        kill(getpid(), SIGKILL)
    }
}

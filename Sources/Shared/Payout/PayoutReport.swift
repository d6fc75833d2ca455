/// What one payout run did, for its summary line and its log.
public struct PayoutReport: Sendable, Equatable {
    /// Rewards paid (ledger entries, or finalized transactions settled by this run).
    public var paid = 0
    /// Their sum, in smallest units.
    public var paidAmount: UInt128 = 0
    /// Rewards that failed for good, with their reasons stored.
    public var failed = 0
    /// Rewards released from expired transactions, due again.
    public var released = 0
    /// Rewards still in flight when the run ended.
    public var inFlight = 0
    /// Transactions signed and sent by this run.
    public var transactions = 0

    /// One line for people and logs.
    public var summary: String {
        "paid \(paid) rewards (\(paidAmount) units), failed \(failed), released \(released), "
            + "in flight \(inFlight), transactions sent \(transactions)"
    }
}

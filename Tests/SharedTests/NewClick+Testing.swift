@testable import Shared

extension NewClick {
    /// A click from `ip` on the code `codeID` at `time`, with no User-Agent, Referer or wallet.
    static func from(_ ip: String, on codeID: Int64, at time: Int64, flag: ClickFlag? = nil) -> NewClick {
        NewClick(
            codeID: codeID,
            ip: ip,
            userAgent: nil,
            referer: nil,
            path: "/r/ABC",
            wallet: nil,
            flag: flag,
            createdAt: time
        )
    }
}

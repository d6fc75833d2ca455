/// Why a stored click is not counted; a counted click has no flag.
public enum ClickFlag: String, Sendable, CaseIterable {
    case head
    case bot
    case subresource
    case rateLimited = "rate-limited"
}

/// Decides from the request alone whether a click is counted (SPEC §1 "What counts").
/// The per-IP hourly limit needs the database and is decided when the click is stored.
public enum ClickClassifier {
    /// Lower-case fragments of link-preview, crawler and headless User-Agents.
    static let automatedAgentMarkers = [
        "bot", "crawler", "spider", "slurp", "facebookexternalhit", "facebookcatalog", "embedly", "quora link preview",
        "whatsapp", "skypeuripreview", "vkshare", "pinterest", "slack-linkexpanding", "iframely", "preview",
        "headlesschrome", "ia_archiver", "mastodon", "lighthouse", "outbrain", "snapchat", "viber", "yandex",
    ]

    /// The User-Agent bytes looked at: as many as are stored (real agents are a few hundred
    /// bytes), so a 60 KB header costs what a normal one does.
    static let classifiedAgentBytes = ReferralStore.maxStoredText

    /// The flag the request itself earns, most specific first: a subresource (it also gets no
    /// cookie), a HEAD request, an automated User-Agent; nil when nothing in the request says so.
    ///
    /// - Parameter request: the link request.
    public static func flag(for request: Request) -> ClickFlag? {
        if let destination = request.header("sec-fetch-dest"),
            destination.utf8.count > 8 || destination.lowercased() != "document"
        {
            return .subresource
        }
        if request.method == "HEAD" { return .head }
        if let header = request.header("user-agent") {
            let agent = String(decoding: header.utf8.prefix(classifiedAgentBytes), as: UTF8.self).lowercased()
            if automatedAgentMarkers.contains(where: { agent.contains($0) }) { return .bot }
        }
        return nil
    }
}

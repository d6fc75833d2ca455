/// A cookie's `SameSite` attribute, spelled as browsers expect it.
public enum SameSite: String, Sendable {
    /// Sent on top-level navigations from other sites (the referral cookie: links arrive that way).
    case lax = "Lax"
    /// Sent only on requests from the site itself (the session cookie).
    case strict = "Strict"
}

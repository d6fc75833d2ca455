/// The database schema, as the ordered list of migration steps `SchemaMigrator` applies.
///
/// Never edit a step that has shipped: append a new one.
enum Schema {
    static let steps: [String] = [
        // 1: referral codes and the clicks on their links.
        """
        CREATE TABLE referral_codes (
            id            INTEGER PRIMARY KEY,
            code          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
            wallet        TEXT    NOT NULL,
            nickname      TEXT,
            description   TEXT,
            reward_type   TEXT    NOT NULL DEFAULT 'token' CHECK (reward_type IN ('token', 'percent', 'fixed')),
            reward_value  INTEGER NOT NULL DEFAULT 5 CHECK (reward_value >= 0),
            vault_address TEXT,
            active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at    INTEGER NOT NULL
        );
        CREATE INDEX referral_codes_by_wallet ON referral_codes (wallet);

        -- flag is NULL for a counted click, else why it is not counted:
        -- 'head', 'bot', 'subresource' or 'rate-limited'.
        CREATE TABLE clicks (
            id          INTEGER PRIMARY KEY,
            code_id     INTEGER NOT NULL REFERENCES referral_codes (id),
            ip          TEXT    NOT NULL,
            user_agent  TEXT,
            referer     TEXT,
            path        TEXT    NOT NULL,
            wallet      TEXT,
            flag        TEXT    CHECK (flag IN ('head', 'bot', 'subresource', 'rate-limited')),
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX clicks_by_code_time ON clicks (code_id, created_at);
        -- Serves the per-IP hourly limit, which looks only at counted clicks.
        CREATE INDEX counted_clicks_by_ip_time ON clicks (ip, created_at) WHERE flag IS NULL;
        """
    ]
}

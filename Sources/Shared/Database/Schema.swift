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
        """,
        // 2: wallet sign-in, sessions, preferences, analytics, and the conversions and rewards the
        // stats count. Amounts are decimal TEXT: they reach 2^64-1, past SQLite's signed INTEGER.
        """
        CREATE TABLE auth_nonces (
            nonce       TEXT    PRIMARY KEY,
            wallet      TEXT    NOT NULL,
            message     TEXT    NOT NULL,
            expires_at  INTEGER NOT NULL,
            used_at     INTEGER
        );
        CREATE INDEX auth_nonces_by_expiry ON auth_nonces (expires_at);

        -- Only a SHA-256 of the session token is stored: a copy of the database signs nobody in.
        CREATE TABLE sessions (
            token_hash  BLOB    PRIMARY KEY,
            wallet      TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL
        );
        CREATE INDEX sessions_by_wallet ON sessions (wallet);

        -- Where each wallet signed in from (a fraud rule compares conversion IPs with these).
        CREATE TABLE sign_ins (
            id          INTEGER PRIMARY KEY,
            wallet      TEXT    NOT NULL,
            ip          TEXT    NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX sign_ins_by_wallet_ip ON sign_ins (wallet, ip);

        CREATE TABLE preferences (
            wallet      TEXT    PRIMARY KEY,
            code_id     INTEGER NOT NULL REFERENCES referral_codes (id),
            updated_at  INTEGER NOT NULL
        );

        CREATE TABLE analytics_events (
            id          INTEGER PRIMARY KEY,
            kind        TEXT    NOT NULL,
            wallet      TEXT,
            code_id     INTEGER REFERENCES referral_codes (id),
            detail      TEXT,
            created_at  INTEGER NOT NULL
        );

        CREATE TABLE conversions (
            id              INTEGER PRIMARY KEY,
            code_id         INTEGER NOT NULL REFERENCES referral_codes (id),
            referred_wallet TEXT    NOT NULL,
            action          TEXT    NOT NULL,
            amount          TEXT    NOT NULL,
            payment_tx      TEXT    UNIQUE,
            mint_log_id     TEXT,
            ip              TEXT,
            created_at      INTEGER NOT NULL,
            UNIQUE (code_id, referred_wallet)
        );
        CREATE INDEX conversions_by_code_time ON conversions (code_id, created_at);

        CREATE TABLE rewards (
            id              INTEGER PRIMARY KEY,
            conversion_id   INTEGER NOT NULL UNIQUE REFERENCES conversions (id),
            wallet          TEXT    NOT NULL,
            amount          TEXT    NOT NULL,
            status          TEXT    NOT NULL CHECK (status IN ('pending', 'review', 'paid', 'rejected')),
            hold_until      INTEGER NOT NULL,
            reason          TEXT,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        CREATE INDEX rewards_by_status_hold ON rewards (status, hold_until);
        """,
        // 3: what the conversion API needs to answer a repeated request with its first answer,
        // and to find conversions by IP for the fraud rules.
        """
        ALTER TABLE conversions ADD COLUMN referrer_wallet TEXT NOT NULL DEFAULT '';
        ALTER TABLE conversions ADD COLUMN request_fingerprint BLOB;
        ALTER TABLE conversions ADD COLUMN response_status INTEGER;
        ALTER TABLE conversions ADD COLUMN response_body BLOB;
        CREATE INDEX conversions_by_code_ip_time ON conversions (code_id, ip, created_at);
        """,
        // 4: payouts. The rewards table is rebuilt for its new statuses (a CHECK cannot be altered):
        // `review_reasons` keeps the fraud rules that fired at recording time, `reason` the latest
        // decision or failure, `payout_id` the payout that covers it. A conversion's first answer
        // is now rebuilt from its rows, so the stored response bytes go.
        """
        CREATE TABLE payouts (
            id                      INTEGER PRIMARY KEY,
            mode                    TEXT    NOT NULL CHECK (mode IN ('ledger', 'solana')),
            state                   TEXT    NOT NULL
                                    CHECK (state IN ('signed', 'sent', 'finalized', 'failed', 'expired')),
            ledger_entry            TEXT    UNIQUE,
            signature               TEXT    UNIQUE,
            signed_transaction      BLOB,
            blockhash               TEXT,
            last_valid_block_height INTEGER,
            error                   TEXT,
            created_at              INTEGER NOT NULL,
            updated_at              INTEGER NOT NULL
        );
        CREATE INDEX unresolved_payouts ON payouts (id) WHERE state IN ('signed', 'sent');

        CREATE TABLE rewards_v4 (
            id              INTEGER PRIMARY KEY,
            conversion_id   INTEGER NOT NULL UNIQUE REFERENCES conversions (id),
            wallet          TEXT    NOT NULL,
            amount          TEXT    NOT NULL,
            status          TEXT    NOT NULL CHECK (status IN
                                ('pending', 'review', 'approved', 'rejected', 'in-flight', 'paid', 'failed')),
            hold_until      INTEGER NOT NULL,
            review_reasons  TEXT,
            reason          TEXT,
            payout_id       INTEGER REFERENCES payouts (id),
            paid_at         INTEGER,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL
        );
        INSERT INTO rewards_v4 (id, conversion_id, wallet, amount, status, hold_until, review_reasons, reason,
                                created_at, updated_at)
            SELECT id, conversion_id, wallet, amount, status, hold_until,
                   CASE WHEN status = 'review' THEN reason END, reason, created_at, updated_at
            FROM rewards;
        DROP TABLE rewards;
        ALTER TABLE rewards_v4 RENAME TO rewards;
        CREATE INDEX rewards_by_status_hold ON rewards (status, hold_until);
        CREATE INDEX rewards_by_payout ON rewards (payout_id) WHERE payout_id IS NOT NULL;

        -- The rewards a payout covers, as they were when it was signed (amount, destination).
        CREATE TABLE payout_items (
            payout_id       INTEGER NOT NULL REFERENCES payouts (id),
            reward_id       INTEGER NOT NULL REFERENCES rewards (id),
            wallet          TEXT    NOT NULL,
            amount          TEXT    NOT NULL,
            token_account   TEXT,
            PRIMARY KEY (payout_id, reward_id)
        );
        CREATE INDEX payout_items_by_reward ON payout_items (reward_id);

        ALTER TABLE conversions DROP COLUMN response_status;
        ALTER TABLE conversions DROP COLUMN response_body;
        """,
        // 5: a code's reward value reaches 2^64-1 (SPL amounts are u64), past SQLite's signed
        // INTEGER: decimal TEXT, like every amount. The column keeps its name and place of use.
        """
        ALTER TABLE referral_codes ADD COLUMN reward_units TEXT NOT NULL DEFAULT '5'
            CHECK (length(reward_units) BETWEEN 1 AND 20);
        UPDATE referral_codes SET reward_units = CAST(reward_value AS TEXT);
        ALTER TABLE referral_codes DROP COLUMN reward_value;
        ALTER TABLE referral_codes RENAME COLUMN reward_units TO reward_value;
        """,
        // 6: a sysadmin's review decisions, each kept with its time and reason.
        """
        CREATE TABLE reward_decisions (
            id          INTEGER PRIMARY KEY,
            reward_id   INTEGER NOT NULL REFERENCES rewards (id),
            decision    TEXT    NOT NULL CHECK (decision IN ('approved', 'rejected')),
            reason      TEXT,
            decided_at  INTEGER NOT NULL
        );
        CREATE INDEX reward_decisions_by_reward ON reward_decisions (reward_id);
        """,
        // 7: the webhook outbox. An event row is written in the same transaction as the change it
        // reports, with one delivery row per endpoint subscribed to its type.
        """
        CREATE TABLE webhook_endpoints (
            id              INTEGER PRIMARY KEY,
            url             TEXT    NOT NULL,
            -- Comma-separated event types, or '*' for all.
            events          TEXT    NOT NULL,
            -- The secret sealed with the key outside the database (WEBHOOK_KEY_PATH).
            sealed_secret   BLOB    NOT NULL,
            enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            disabled_reason TEXT,
            created_at      INTEGER NOT NULL
        );

        CREATE TABLE webhook_events (
            id          INTEGER PRIMARY KEY,
            -- The webhook-id header: the same at every endpoint and on every attempt.
            event_id    TEXT    NOT NULL UNIQUE,
            type        TEXT    NOT NULL CHECK (type IN
                            ('conversion.recorded', 'reward.approved', 'reward.rejected', 'reward.paid', 'payout.failed')),
            -- The body exactly as it is sent: {"type", "timestamp", "data"}.
            body        BLOB    NOT NULL,
            created_at  INTEGER NOT NULL
        );

        CREATE TABLE webhook_deliveries (
            id              INTEGER PRIMARY KEY,
            event_id        INTEGER NOT NULL REFERENCES webhook_events (id),
            endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id),
            state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_status     INTEGER,
            last_error      TEXT,
            delivered_at    INTEGER,
            UNIQUE (event_id, endpoint_id)
        );
        CREATE INDEX due_webhook_deliveries ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
        """,
        // 8: Solana Pay references handed out with purchase recipients, verified on chain later.
        """
        CREATE TABLE purchase_references (
            id          INTEGER PRIMARY KEY,
            reference   TEXT    NOT NULL UNIQUE,
            recipient   TEXT    NOT NULL,
            code_id     INTEGER REFERENCES referral_codes (id),
            source      TEXT    NOT NULL CHECK (source IN ('cookie', 'preference', 'default')),
            buyer       TEXT,
            amount      TEXT    NOT NULL,
            mint        TEXT,
            status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'verified', 'rejected', 'expired')),
            signature   TEXT,
            reason      TEXT,
            expires_at  INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL
        );
        CREATE INDEX open_purchase_references ON purchase_references (expires_at) WHERE status = 'open';
        """,
        // 9: the per-IP hourly limit by lookup, not by count. Each counted click carries its place
        // among its IP's counted clicks (1, 2, 3, …); a click is within the limit when the counted
        // click `limit` places back is older than an hour, which is one index probe whatever the
        // limit. Existing counted clicks are numbered in the order they were stored.
        """
        ALTER TABLE clicks ADD COLUMN counted_seq INTEGER;
        UPDATE clicks SET counted_seq = numbered.seq
        FROM (SELECT id, row_number() OVER (PARTITION BY ip ORDER BY id) AS seq FROM clicks WHERE flag IS NULL)
            AS numbered
        WHERE clicks.id = numbered.id;
        DROP INDEX counted_clicks_by_ip_time;
        CREATE UNIQUE INDEX counted_clicks_by_ip_seq ON clicks (ip, counted_seq) WHERE flag IS NULL;
        """,
        // 10: click rollups, so a code's stats read one row per day instead of every click (a code
        // with 1 M clicks). A counted click adds its visitor-hour (code, clock hour, IP) if new and
        // counts itself, and a new visitor-hour, on its UTC day; a trigger, so every way a click is
        // stored keeps them (clicks are never updated or deleted). Unique visitors are distinct
        // (IP, hour) pairs, and an hour lies within one day: the days' sums are exact.
        """
        CREATE TABLE click_visitor_hours (
            code_id INTEGER NOT NULL,
            hour    INTEGER NOT NULL,
            ip      TEXT    NOT NULL,
            PRIMARY KEY (code_id, hour, ip)
        ) WITHOUT ROWID;
        CREATE TABLE click_days (
            code_id         INTEGER NOT NULL,
            day             INTEGER NOT NULL,
            clicks          INTEGER NOT NULL,
            unique_visitors INTEGER NOT NULL,
            PRIMARY KEY (code_id, day)
        ) WITHOUT ROWID;
        INSERT INTO click_visitor_hours
            SELECT DISTINCT code_id, created_at / 3600, ip FROM clicks WHERE flag IS NULL;
        INSERT INTO click_days
            SELECT code_id, created_at / 86400, count(*), count(DISTINCT ip || '|' || (created_at / 3600))
            FROM clicks WHERE flag IS NULL GROUP BY 1, 2;
        -- Within a trigger, changes() is what its last statement changed: 1 for a new visitor-hour.
        CREATE TRIGGER clicks_roll_up AFTER INSERT ON clicks WHEN NEW.flag IS NULL BEGIN
            INSERT OR IGNORE INTO click_visitor_hours VALUES (NEW.code_id, NEW.created_at / 3600, NEW.ip);
            INSERT INTO click_days VALUES (NEW.code_id, NEW.created_at / 86400, 1, changes())
                ON CONFLICT DO UPDATE SET clicks = clicks + 1, unique_visitors = unique_visitors + excluded.unique_visitors;
        END;
        """,
        // 11: stats read the rollups, and nothing else looks clicks up by code (codes are never
        // deleted, so the foreign key needs no index on the child): one index less to write per
        // click.
        """
        DROP INDEX clicks_by_code_time;
        """,
        // 12: the clicks' flag CHECK as comparisons instead of an IN list: SQLite 3.40 looks an IN
        // list up in a temporary index, built on every INSERT (a B-tree with a zeroed page and a
        // transaction of its own). Same rule, no change on disk, so the table's SQL is edited in
        // place as SQLite documents for such changes (lang_altertable.html, "otheralter") rather than
        // rebuilding a table of millions of rows.
        """
        PRAGMA writable_schema = ON;
        UPDATE sqlite_schema SET sql = replace(sql,
            'CHECK (flag IN (''head'', ''bot'', ''subresource'', ''rate-limited''))',
            'CHECK (flag = ''head'' OR flag = ''bot'' OR flag = ''subresource'' OR flag = ''rate-limited'')')
        WHERE type = 'table' AND name = 'clicks';
        PRAGMA writable_schema = RESET;
        """,
        // 13: the per-IP limit reads a table of each address's last hour of counted clicks, not an
        // index over every click ever stored. That index put each new click's entry at a random
        // place among all the others (addresses arrive in no order): with 10 M stored clicks,
        // links from addresses spread like real traffic's ran at half the rate they ran on an
        // empty database (docs/BENCHMARKS.md). A counted click adds itself here, in the roll-up
        // trigger (so that every way a click is stored keeps it); a click removes its address's
        // rows that have left the hour (`ReferralStore.insertClick`). Both on the page the
        // decision has just read: no page more is written per click. Rows kept on upgrade: the
        // hour before the newest click.
        """
        CREATE TABLE recent_counted_clicks (
            ip         TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (ip, seq)
        ) WITHOUT ROWID;
        INSERT INTO recent_counted_clicks
            SELECT ip, counted_seq, created_at FROM clicks
            WHERE flag IS NULL AND counted_seq IS NOT NULL
                AND created_at > (SELECT max(created_at) FROM clicks) - 3600;
        DROP INDEX counted_clicks_by_ip_seq;
        DROP TRIGGER clicks_roll_up;
        CREATE TRIGGER clicks_roll_up AFTER INSERT ON clicks WHEN NEW.flag IS NULL BEGIN
            INSERT OR IGNORE INTO click_visitor_hours VALUES (NEW.code_id, NEW.created_at / 3600, NEW.ip);
            INSERT INTO click_days VALUES (NEW.code_id, NEW.created_at / 86400, 1, changes())
                ON CONFLICT DO UPDATE SET clicks = clicks + 1, unique_visitors = unique_visitors + excluded.unique_visitors;
            INSERT OR IGNORE INTO recent_counted_clicks
                SELECT NEW.ip, NEW.counted_seq, NEW.created_at WHERE NEW.counted_seq IS NOT NULL;
        END;
        """,
    ]
}

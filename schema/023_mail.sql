-- 015: email notifications (the outbox). docs/mail.md.
--
-- outbox: one row per message, written in the SAME transaction as the change
-- that causes it (core/outbox.c), so a message exists exactly when its change
-- committed. The sender thread (core/mailer.c) delivers the pending rows and
-- marks each sent in its own transaction right after the SMTP server accepted
-- it; a row marked sent is never sent again.
--   kind        what the message is about (hold_received, booking_confirmed, ...)
--   account_id  to whom (the address is copied into to_addr when queued)
--   booking_id  the booking concerned, if any (staff list a booking's messages)
--   center      the centre concerned, if any (its Reply-To)
--   dedup_key   for messages a periodic sweep queues ("remind:42"): one at most
--   message_id  the Message-ID header, fixed when queued: every attempt sends
--               the same one, so a receiver can tell a repeat
--   status      pending (to be sent), sent (accepted by the SMTP server),
--               failed (refused for good, or retried past the limit),
--               skipped (not sent: turned off by the citizen, or no address)
--   attempts, next_at, last_error: the retries (next_at is wall-clock epoch
--               seconds, 0 = at once)
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  account_id  INTEGER REFERENCES accounts(id),
  booking_id  INTEGER REFERENCES bookings(id),
  center      TEXT,
  dedup_key   TEXT UNIQUE,
  to_addr     TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL,
  body        TEXT NOT NULL,
  message_id  TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL DEFAULT 'pending'
              CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER
);
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_booking ON outbox(booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX outbox_account ON outbox(account_id, created_at);

-- The messages a citizen turned off (only the kinds that may be: reminders,
-- hold warnings, receipts; decisions and security messages always go).
CREATE TABLE mail_optout (
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  kind        TEXT NOT NULL,
  PRIMARY KEY (account_id, kind)
) WITHOUT ROWID;

-- An address the SMTP server refused for good (shown on マイページ:
-- 「メールが届いていません」). Cleared when a later message is accepted.
CREATE TABLE mail_undeliverable (
  account_id  INTEGER PRIMARY KEY REFERENCES accounts(id),
  address     TEXT NOT NULL,
  reason      TEXT NOT NULL,
  at          INTEGER NOT NULL
);

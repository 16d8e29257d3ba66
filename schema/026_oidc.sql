-- 026: sign-in with the My Number card through OpenID Connect (issue 17;
-- docs/identity.md). What is kept: the provider's iss + sub linked to an
-- account, and the attributes the person agreed to share, with the date they
-- were verified. Never the individual number (My Number) itself.

-- One row per card (per provider subject). A renewed card has a new sub: the
-- person links it again after signing in with the password (or the old
-- card); linking replaces the account's earlier link from the same issuer.
CREATE TABLE oidc_links (
  iss         TEXT NOT NULL,
  sub         TEXT NOT NULL,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  linked_at   INTEGER NOT NULL,
  last_used   INTEGER,
  PRIMARY KEY (iss, sub)
) WITHOUT ROWID;
CREATE INDEX oidc_links_account ON oidc_links(account_id);

-- The verified attributes (the last time the card was used), one row per account.
CREATE TABLE identity_verified (
  account_id   INTEGER PRIMARY KEY REFERENCES accounts(id),
  iss          TEXT NOT NULL,
  name         TEXT,
  address      TEXT,
  birthdate    TEXT,
  resident     INTEGER NOT NULL DEFAULT 0,
  verified_at  INTEGER NOT NULL
);

-- Sign-ins in progress: state, nonce and the PKCE verifier stay on the
-- server, found through a hash of a short-lived cookie. A row is deleted
-- when its callback arrives (used once) or when it expires.
CREATE TABLE oidc_pending (
  handle_hash   BLOB PRIMARY KEY,
  state         TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  verifier      TEXT NOT NULL,
  redirect_uri  TEXT NOT NULL,
  next          TEXT NOT NULL DEFAULT '',
  link_account  INTEGER,
  expires_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- A closed account keeps neither its card link nor its verified attributes.
CREATE TRIGGER oidc_forget_closed AFTER UPDATE OF closed_at ON accounts
  WHEN NEW.closed_at IS NOT NULL
BEGIN
  DELETE FROM oidc_links WHERE account_id = NEW.id;
  DELETE FROM identity_verified WHERE account_id = NEW.id;
END;

-- 010: invitations to co-represent a group (security hardening, issue 12).
--
-- A representative no longer adds a co-representative by system ID: they
-- invite one, and the invited person accepts or declines on their own マイページ
-- (or through the API). Until then nothing about that person reaches the
-- group, and the inviter is answered the same whether the ID belongs to
-- anyone or not, so inviting cannot be used to learn who holds an ID.
--
--   invitee_id   the system ID as the inviter typed it. NOT a reference to
--                accounts, on purpose: an invitation to an ID nobody holds is
--                stored like any other, so that nothing the inviter can see
--                (their group's pending invitations, the cap on them) differs
--                between a real and an unknown ID
--   invited_by   who invited (the representative, or staff)
--   expires_at   an invitation lapses 14 days after it was made (GROUPS_INVITE_DAYS);
--                lapsed ones are ignored and swept when the next one is made
CREATE TABLE group_invitations (
  group_id    INTEGER NOT NULL REFERENCES groups(id),
  invitee_id  INTEGER NOT NULL,
  invited_by  INTEGER NOT NULL REFERENCES accounts(id),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (group_id, invitee_id)
) WITHOUT ROWID;
CREATE INDEX group_invitations_invitee ON group_invitations(invitee_id);
CREATE INDEX group_invitations_expiry ON group_invitations(expires_at);

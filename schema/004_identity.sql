-- 004: group renewal (団体登録の更新).
--
-- groups.status is the state of the group's registration: 'pending' until
-- staff decide, then 'approved' or 'rejected'; valid_until is the last day of
-- the approval (the end of the rule book's validity period). A renewal is a
-- second application on an approved group, reviewed like the first; while it
-- is reviewed the group stays approved and may go on booking until
-- valid_until. These columns hold that application:
--   renewal_status   NULL (none), 'pending', or 'rejected' (with renewal_reason)
--   renewal_members, renewal_resident_members, renewal_activity: the figures
--                    the representative gave, copied onto the group on approval
ALTER TABLE groups ADD COLUMN renewal_status TEXT
  CHECK (renewal_status IS NULL OR renewal_status IN ('pending', 'rejected'));
ALTER TABLE groups ADD COLUMN renewal_members INTEGER;
ALTER TABLE groups ADD COLUMN renewal_resident_members INTEGER;
ALTER TABLE groups ADD COLUMN renewal_activity TEXT;
ALTER TABLE groups ADD COLUMN renewal_requested_at INTEGER;
ALTER TABLE groups ADD COLUMN renewal_reason TEXT;
CREATE INDEX groups_renewal ON groups(renewal_status) WHERE renewal_status IS NOT NULL;
CREATE INDEX groups_representative ON groups(representative_id);

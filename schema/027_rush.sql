-- 027: the caps a new booking checks inside the writer's transaction (issue 18;
-- docs/performance.md). A person's holds at once are counted in this index of held
-- bookings by account, without reading each of the person's bookings (a citizen with
-- ten years of history has hundreds).
CREATE INDEX bookings_held_by_account ON bookings(account_id, hold_expires_at)
  WHERE status = 'held';

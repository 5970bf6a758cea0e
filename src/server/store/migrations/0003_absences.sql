-- 0003 absences (fraværsmarkering): why a person is away, until when, and what happens to
-- their calls. Set by the person, by an operator on their behalf, or by calendar sync.

CREATE TABLE absences (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id        uuid NOT NULL,
  reason         text NOT NULL
                 CHECK (reason IN ('meeting', 'lunch', 'vacation', 'sick', 'travel', 'course', 'other')),
  starts_at      timestamptz NOT NULL DEFAULT now(),
  -- NULL: until further notice.
  ends_at        timestamptz,
  message        text CHECK (char_length(message) <= 200),
  -- What a call to the person does meanwhile.
  call_handling  text NOT NULL DEFAULT 'switchboard'
                 CHECK (call_handling IN ('forward', 'switchboard', 'ring')),
  forward_number text CHECK (forward_number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  source         text NOT NULL DEFAULT 'self' CHECK (source IN ('self', 'operator', 'calendar')),
  set_by         uuid,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at IS NULL OR ends_at > starts_at),
  CHECK (call_handling <> 'forward' OR forward_number IS NOT NULL),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, set_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (set_by)
);

CREATE INDEX absences_tenant_user_idx ON absences (tenant_id, user_id, starts_at DESC);
CREATE INDEX absences_tenant_ends_idx ON absences (tenant_id, ends_at);

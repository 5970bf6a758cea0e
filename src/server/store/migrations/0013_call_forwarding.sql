-- 0013 busy / no-answer forwarding per person (viderekobling ved opptatt / ubesvart): where a
-- direct call to the person goes when all their phones say busy (486/600/603) and where it
-- goes when nobody answers within ring_time_s. Each is on or off by itself; a number is kept
-- while off so it can be switched on again. Absences (0003) take precedence.
CREATE TABLE call_forwarding (
  tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id           uuid NOT NULL,
  busy_enabled      boolean NOT NULL DEFAULT false,
  -- An internal number (extension, queue, answer group) or E.164, as absences store them.
  busy_number       text CHECK (busy_number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  no_answer_enabled boolean NOT NULL DEFAULT false,
  no_answer_number  text CHECK (no_answer_number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  ring_time_s       integer NOT NULL DEFAULT 20 CHECK (ring_time_s BETWEEN 5 AND 120),
  updated_by        uuid,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id),
  CHECK (NOT busy_enabled OR busy_number IS NOT NULL),
  CHECK (NOT no_answer_enabled OR no_answer_number IS NOT NULL),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id) ON DELETE SET NULL (updated_by)
);

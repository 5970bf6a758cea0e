-- 0005 audit log: who did what to the company's data, and when (admin actions and changes made
-- on someone else's behalf). Append-only.
CREATE TABLE audit_log (
  id        bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at        timestamptz NOT NULL DEFAULT now(),
  actor_id  uuid,
  action    text NOT NULL CHECK (action ~ '^[a-z]+(\.[a-z_]+)+$'),
  target    text CHECK (char_length(target) <= 200),
  details   jsonb,
  FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (actor_id)
);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);

-- 0008 caller notes: what operators write about an outside caller (by number), shown on the
-- caller card with the caller's history. Deleted after the tenant's retention like queue
-- history (the service terms promise it).
CREATE TABLE caller_notes (
  id          bigserial PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- The caller's number, E.164.
  number      text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{5,14}$'),
  body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
  author_id   uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX caller_notes_tenant_number_idx ON caller_notes (tenant_id, number, created_at DESC);
CREATE INDEX caller_notes_tenant_updated_idx ON caller_notes (tenant_id, updated_at);

ALTER TABLE retention_runs ADD COLUMN caller_notes_deleted integer NOT NULL DEFAULT 0;

-- History by caller: inbound rows of one number, newest first.
CREATE INDEX call_records_tenant_caller_idx ON call_records (tenant_id, caller_number, started_at DESC)
  WHERE leg = 'inbound';

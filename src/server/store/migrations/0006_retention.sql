-- 0006 retention (the service terms promise it): how long queue history is kept per tenant,
-- and a log of every deletion run.
ALTER TABLE tenants
  ADD COLUMN retention_days integer NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650);

CREATE TABLE retention_runs (
  id               bigserial PRIMARY KEY,
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at               timestamptz NOT NULL DEFAULT now(),
  call_log_deleted integer NOT NULL,
  queue_records_deleted integer NOT NULL,
  queue_log_deleted integer NOT NULL,
  absences_deleted integer NOT NULL
);
CREATE INDEX retention_runs_tenant_at_idx ON retention_runs (tenant_id, at DESC);

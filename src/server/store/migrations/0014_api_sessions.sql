-- 0014 API sessions kept across a core restart (ADR 0003, amended): a restart or a deploy no
-- longer sends every receptionist back to the login screen. The token itself is never stored,
-- only its SHA-256; of the session's SIP credential only the HA1 the digest check needs.
CREATE TABLE api_sessions (
  token_hash   text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  tenant_id    uuid NOT NULL,
  user_id      uuid NOT NULL,
  -- What the login answered as `user` (role, numbers): the session goes on as it began.
  login_user   jsonb NOT NULL,
  must_enrol   boolean NOT NULL DEFAULT false,
  sip_username text NOT NULL,
  sip_realm    text NOT NULL,
  sip_ha1      text NOT NULL CHECK (sip_ha1 ~ '^[0-9a-f]{32}$'),
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX api_sessions_expires_idx ON api_sessions (expires_at);

-- 0009 two-factor login (TOTP, RFC 6238): a confirmed secret per user, the secret of an
-- enrolment in progress, the last time step used (a code works once), one-time recovery codes
-- (hashed), and whether a tenant requires 2FA of everyone (admins always need it).
ALTER TABLE users
  ADD COLUMN totp_secret text,
  ADD COLUMN totp_pending text,
  ADD COLUMN totp_last_step bigint;

CREATE TABLE recovery_codes (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

ALTER TABLE tenants ADD COLUMN require_2fa boolean NOT NULL DEFAULT false;

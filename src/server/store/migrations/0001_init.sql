-- 0001 init: tenants, departments, users.
--
-- Conventions every later table follows (queues, answer groups, call records,
-- absences, audit log):
-- * ids are uuid DEFAULT gen_random_uuid() (core since PostgreSQL 13; PGlite has it);
-- * every tenant-owned row carries tenant_id, and references to another
--   tenant-owned row are composite (tenant_id, x_id) → x (tenant_id, id), so a row
--   can never point into another tenant; each table therefore has
--   UNIQUE (tenant_id, id);
-- * times are timestamptz; phone numbers are stored in E.164 ('+4721000000');
-- * names of things people type (usernames, domains) are stored lowercase and
--   checked, so plain btree indexes serve case-insensitive lookups.

CREATE FUNCTION sentral_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TABLE tenants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (btrim(name) <> ''),
  -- SIP domain of the tenant, e.g. 'nordlys.sentral.invalid'.
  domain      text NOT NULL UNIQUE
              CHECK (domain = lower(domain) AND domain ~ '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$'),
  main_number text CHECK (main_number ~ '^\+[1-9][0-9]{6,14}$'),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departments (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (btrim(name) <> ''),
  -- A direct number in E.164 or an internal short number.
  number     text CHECK (number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, number)
);

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- Login name, unique across tenants (login does not ask for a tenant).
  username      text NOT NULL UNIQUE
                CHECK (username = lower(username) AND username ~ '^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$'),
  first_name    text NOT NULL CHECK (btrim(first_name) <> ''),
  last_name     text NOT NULL DEFAULT '',
  -- NULL: shown as 'first last'.
  display_name  text CHECK (btrim(display_name) <> ''),
  title         text,
  department_id uuid,
  -- Internal number; NULL for accounts without a phone (e.g. a pure admin).
  extension     text CHECK (extension ~ '^[0-9]{2,8}$'),
  mobile        text CHECK (mobile ~ '^\+[1-9][0-9]{6,14}$'),
  email         text CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  role          text NOT NULL DEFAULT 'agent'
                CHECK (role IN ('agent', 'operator', 'supervisor', 'admin')),
  -- 'scrypt$N$r$p$salt$hash' (see passwords.ts); NULL: cannot log in.
  password_hash text CHECK (password_hash <> ''),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, extension),
  -- A department must belong to the user's tenant. Deleting a department that
  -- still has users fails: move them first (NO ACTION keeps this portable; the
  -- PostgreSQL 15 'SET NULL (department_id)' form is not needed yet).
  FOREIGN KEY (tenant_id, department_id) REFERENCES departments (tenant_id, id)
);

CREATE INDEX users_tenant_department_idx ON users (tenant_id, department_id);
CREATE INDEX users_tenant_mobile_idx ON users (tenant_id, mobile);
CREATE INDEX users_tenant_name_idx ON users (tenant_id, last_name, first_name);

CREATE TRIGGER users_touch_updated_at
  BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION sentral_touch_updated_at();

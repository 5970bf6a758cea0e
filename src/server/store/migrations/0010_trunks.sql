-- 0010 SIP trunks (issue 6): each tenant's line to its carrier, for calls to external numbers
-- and calls from outside to the tenant's numbers, with the toll-fraud guard's settings.
-- The carrier password is kept as given: answering the carrier's digest challenge needs it
-- (or its HA1 for one realm, which is as good as the password towards that carrier). It is
-- never sent to a browser; the API only says whether one is set.
CREATE TABLE trunks (
  tenant_id         uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  enabled           boolean NOT NULL DEFAULT true,
  transport         text NOT NULL CHECK (transport IN ('udp', 'tcp')),
  host              text NOT NULL CHECK (host ~ '^[A-Za-z0-9.:-]+$'),
  port              integer NOT NULL DEFAULT 5060 CHECK (port BETWEEN 1 AND 65535),
  username          text,
  password          text,
  -- The host part of From / P-Asserted-Identity towards the carrier (default: host).
  from_domain       text,
  -- Toll-fraud guard: only numbers starting with one of these (E.164 prefixes) may be called,
  -- and at most calls_per_minute new external calls per tenant.
  allowed_prefixes  text[] NOT NULL DEFAULT '{+47}',
  calls_per_minute  integer NOT NULL DEFAULT 10 CHECK (calls_per_minute BETWEEN 1 AND 10000),
  -- Addresses the carrier's calls come from (empty: the trunk host itself).
  inbound_addresses text[] NOT NULL DEFAULT '{}',
  updated_at        timestamptz NOT NULL DEFAULT now()
);

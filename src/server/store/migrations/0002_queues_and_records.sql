-- 0002 queues, answer groups, VIP list, and the records: queue log and call records.
--
-- Follows the conventions of 0001 (uuid ids, tenant-composite foreign keys, E.164
-- numbers, timestamptz). What is new here:
--
-- Routing targets. Overflow, "no agents logged in" and an answer group's fallback
-- each lead to one target of kind 'queue' | 'user' | 'answer-group' | 'number'.
-- A target is stored as its kind plus one typed column per kind, so every
-- reference keeps a tenant-composite foreign key:
--   <t>_kind, <t>_queue_id, <t>_user_id, <t>_answer_group_id, <t>_number
-- with <t> = overflow | no_agents (queues) and fallback (answer groups). A CHECK
-- makes exactly the column of the kind non-NULL (all NULL without a kind). A queue,
-- user or answer group that is still some target cannot be deleted (NO ACTION):
-- point the target elsewhere first.
--
-- Numbers. A queue or answer group number is E.164 or an internal short number
-- (2-8 digits, stored only when it is not a valid E.164 number). One number leads
-- to one place: unique per tenant across queues and answer groups together, and not
-- a user's extension or mobile at the time it is set (trigger below). Department
-- numbers from 0001 stay directory information; a queue owning the same number is
-- what routes it (the demo's Salg and Kundeservice queues carry their departments'
-- numbers).
--
-- Records. queue_log and call_records are append-only history: the core inserts,
-- the core may complete a call record while its leg lasts, and only retention
-- deletes. Nothing references them, so they skip the UNIQUE (tenant_id, id) of
-- configuration tables (one index less per insert). Their references to users and
-- queues are tenant-composite and ON DELETE SET NULL (column): removing a user or a
-- queue keeps the statistics but forgets whom or which. Every report filters on a
-- time range, so each table has a (tenant_id, time) index and per-queue / per-user
-- variants. How statistics read the records: see statistics.ts.

CREATE TABLE queues (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                    text NOT NULL CHECK (btrim(name) <> ''),
  number                  text CHECK (number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  strategy                text NOT NULL DEFAULT 'ring-all'
                          CHECK (strategy IN ('ring-all', 'longest-idle', 'round-robin', 'serial')),
  -- Seconds one offer rings an agent.
  ring_timeout_s          int NOT NULL DEFAULT 20 CHECK (ring_timeout_s BETWEEN 1 AND 600),
  -- Seconds an agent rests after a call before the next offer.
  wrap_up_s               int NOT NULL DEFAULT 0 CHECK (wrap_up_s BETWEEN 0 AND 3600),
  -- NULL: no limit. Reaching it sends the caller to the overflow target.
  max_wait_s              int CHECK (max_wait_s > 0),
  -- NULL: no limit. A caller beyond it goes straight to the overflow target.
  max_length              int CHECK (max_length > 0),
  overflow_kind           text CHECK (overflow_kind IN ('queue', 'user', 'answer-group', 'number')),
  overflow_queue_id       uuid,
  overflow_user_id        uuid,
  overflow_answer_group_id uuid,
  overflow_number         text CHECK (overflow_number ~ '^\+[1-9][0-9]{6,14}$'),
  -- Where a caller goes when no agent is logged in (NULL: wait anyway).
  no_agents_kind          text CHECK (no_agents_kind IN ('queue', 'user', 'answer-group', 'number')),
  no_agents_queue_id      uuid,
  no_agents_user_id       uuid,
  no_agents_answer_group_id uuid,
  no_agents_number        text CHECK (no_agents_number ~ '^\+[1-9][0-9]{6,14}$'),
  -- Target answer time: service level % = answered within this / offered.
  service_level_s         int NOT NULL DEFAULT 20 CHECK (service_level_s BETWEEN 1 AND 3600),
  -- An agent who lets this many offers in a row go unanswered is paused (NULL: never).
  auto_pause_after_misses int CHECK (auto_pause_after_misses BETWEEN 1 AND 100),
  -- The tenant's main number leads here; at most one per tenant.
  is_main                 boolean NOT NULL DEFAULT false,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, number),
  CONSTRAINT queues_overflow_target CHECK (
    num_nonnulls(overflow_queue_id, overflow_user_id, overflow_answer_group_id, overflow_number)
      = CASE WHEN overflow_kind IS NULL THEN 0 ELSE 1 END
    AND (overflow_kind IS NULL
      OR (overflow_kind = 'queue' AND overflow_queue_id IS NOT NULL AND overflow_queue_id <> id)
      OR (overflow_kind = 'user' AND overflow_user_id IS NOT NULL)
      OR (overflow_kind = 'answer-group' AND overflow_answer_group_id IS NOT NULL)
      OR (overflow_kind = 'number' AND overflow_number IS NOT NULL))),
  CONSTRAINT queues_no_agents_target CHECK (
    num_nonnulls(no_agents_queue_id, no_agents_user_id, no_agents_answer_group_id, no_agents_number)
      = CASE WHEN no_agents_kind IS NULL THEN 0 ELSE 1 END
    AND (no_agents_kind IS NULL
      OR (no_agents_kind = 'queue' AND no_agents_queue_id IS NOT NULL AND no_agents_queue_id <> id)
      OR (no_agents_kind = 'user' AND no_agents_user_id IS NOT NULL)
      OR (no_agents_kind = 'answer-group' AND no_agents_answer_group_id IS NOT NULL)
      OR (no_agents_kind = 'number' AND no_agents_number IS NOT NULL))),
  FOREIGN KEY (tenant_id, overflow_queue_id) REFERENCES queues (tenant_id, id),
  FOREIGN KEY (tenant_id, overflow_user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, no_agents_queue_id) REFERENCES queues (tenant_id, id),
  FOREIGN KEY (tenant_id, no_agents_user_id) REFERENCES users (tenant_id, id)
);

CREATE UNIQUE INDEX queues_one_main_idx ON queues (tenant_id) WHERE is_main;

CREATE TRIGGER queues_touch_updated_at
  BEFORE UPDATE ON queues
  FOR EACH ROW EXECUTE FUNCTION sentral_touch_updated_at();

-- Agents of a queue; position orders them for the 'serial' strategy (1 first).
CREATE TABLE queue_members (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  queue_id  uuid NOT NULL,
  user_id   uuid NOT NULL,
  position  int NOT NULL CHECK (position > 0),
  PRIMARY KEY (queue_id, user_id),
  UNIQUE (queue_id, position),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX queue_members_user_idx ON queue_members (tenant_id, user_id);

-- Short parallel or serial ringing of members without queueing; the fallback
-- takes the caller when nobody answers within ring_timeout_s.
CREATE TABLE answer_groups (
  id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id                uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                     text NOT NULL CHECK (btrim(name) <> ''),
  number                   text CHECK (number ~ '^(\+[1-9][0-9]{6,14}|[0-9]{2,8})$'),
  mode                     text NOT NULL DEFAULT 'parallel' CHECK (mode IN ('parallel', 'serial')),
  -- Parallel: how long all members ring. Serial: how long each member rings.
  ring_timeout_s           int NOT NULL DEFAULT 15 CHECK (ring_timeout_s BETWEEN 1 AND 600),
  fallback_kind            text CHECK (fallback_kind IN ('queue', 'user', 'answer-group', 'number')),
  fallback_queue_id        uuid,
  fallback_user_id         uuid,
  fallback_answer_group_id uuid,
  fallback_number          text CHECK (fallback_number ~ '^\+[1-9][0-9]{6,14}$'),
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, number),
  CONSTRAINT answer_groups_fallback_target CHECK (
    num_nonnulls(fallback_queue_id, fallback_user_id, fallback_answer_group_id, fallback_number)
      = CASE WHEN fallback_kind IS NULL THEN 0 ELSE 1 END
    AND (fallback_kind IS NULL
      OR (fallback_kind = 'queue' AND fallback_queue_id IS NOT NULL)
      OR (fallback_kind = 'user' AND fallback_user_id IS NOT NULL)
      OR (fallback_kind = 'answer-group' AND fallback_answer_group_id IS NOT NULL
          AND fallback_answer_group_id <> id)
      OR (fallback_kind = 'number' AND fallback_number IS NOT NULL))),
  FOREIGN KEY (tenant_id, fallback_queue_id) REFERENCES queues (tenant_id, id),
  FOREIGN KEY (tenant_id, fallback_user_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, fallback_answer_group_id) REFERENCES answer_groups (tenant_id, id)
);

CREATE TRIGGER answer_groups_touch_updated_at
  BEFORE UPDATE ON answer_groups
  FOR EACH ROW EXECUTE FUNCTION sentral_touch_updated_at();

-- Queues may overflow to answer groups; added now that the table exists.
ALTER TABLE queues
  ADD FOREIGN KEY (tenant_id, overflow_answer_group_id) REFERENCES answer_groups (tenant_id, id),
  ADD FOREIGN KEY (tenant_id, no_agents_answer_group_id) REFERENCES answer_groups (tenant_id, id);

CREATE TABLE answer_group_members (
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  answer_group_id uuid NOT NULL,
  user_id         uuid NOT NULL,
  position        int NOT NULL CHECK (position > 0),
  PRIMARY KEY (answer_group_id, user_id),
  UNIQUE (answer_group_id, position),
  FOREIGN KEY (tenant_id, answer_group_id) REFERENCES answer_groups (tenant_id, id)
    ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX answer_group_members_user_idx ON answer_group_members (tenant_id, user_id);

-- One number, one place: a queue number may not be an answer group's (and the
-- reverse), nor a user's extension or mobile. Writers of the same number wait for
-- each other on an advisory lock, so two transactions cannot both pass the check.
CREATE FUNCTION sentral_check_routing_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.number IS NULL THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.number IS NOT DISTINCT FROM OLD.number
     AND NEW.tenant_id = OLD.tenant_id THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('sentral:number:' || NEW.tenant_id::text || ':' || NEW.number));
  IF TG_TABLE_NAME = 'queues' THEN
    IF EXISTS (SELECT 1 FROM answer_groups WHERE tenant_id = NEW.tenant_id AND number = NEW.number) THEN
      RAISE EXCEPTION 'number % is already an answer group''s number', NEW.number
        USING ERRCODE = 'unique_violation', COLUMN = 'number';
    END IF;
  ELSE
    IF EXISTS (SELECT 1 FROM queues WHERE tenant_id = NEW.tenant_id AND number = NEW.number) THEN
      RAISE EXCEPTION 'number % is already a queue''s number', NEW.number
        USING ERRCODE = 'unique_violation', COLUMN = 'number';
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM users WHERE tenant_id = NEW.tenant_id
               AND (extension = NEW.number OR mobile = NEW.number)) THEN
    RAISE EXCEPTION 'number % is already a user''s extension or mobile', NEW.number
      USING ERRCODE = 'unique_violation', COLUMN = 'number';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER queues_check_number
  BEFORE INSERT OR UPDATE OF number, tenant_id ON queues
  FOR EACH ROW EXECUTE FUNCTION sentral_check_routing_number();

CREATE TRIGGER answer_groups_check_number
  BEFORE INSERT OR UPDATE OF number, tenant_id ON answer_groups
  FOR EACH ROW EXECUTE FUNCTION sentral_check_routing_number();

-- Numbers whose callers go first in every queue: an E.164 number, or an E.164
-- prefix ending with '*' ('+4741*').
CREATE TABLE vip_numbers (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  pattern    text NOT NULL
             CHECK (pattern ~ '^\+[1-9][0-9]{6,14}$' OR pattern ~ '^\+[1-9][0-9]{0,13}\*$'),
  label      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, pattern)
);

-- Every queue event, append-only. queue_id is NULL for events that concern no one
-- queue (an agent pausing in all queues at once).
CREATE TABLE queue_log (
  id            bigserial PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at            timestamptz NOT NULL DEFAULT now(),
  -- The core's call id; NULL for agent events.
  call_id       text,
  queue_id      uuid,
  event         text NOT NULL CHECK (event IN (
                  'joined', 'offered', 'answered', 'abandoned', 'overflow', 'timeout',
                  'transferred', 'picked', 'recall', 'agent_login', 'agent_logout',
                  'agent_pause', 'agent_unpause', 'agent_auto_pause', 'no_answer')),
  agent_id      uuid,
  caller_number text,
  wait_ms       int CHECK (wait_ms >= 0),
  -- Event details: pause reason, overflow target, …
  data          jsonb,
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id)
    ON DELETE SET NULL (queue_id),
  FOREIGN KEY (tenant_id, agent_id) REFERENCES users (tenant_id, id)
    ON DELETE SET NULL (agent_id)
);

CREATE INDEX queue_log_tenant_at_idx ON queue_log (tenant_id, at);
CREATE INDEX queue_log_queue_at_idx ON queue_log (tenant_id, queue_id, at)
  WHERE queue_id IS NOT NULL;
CREATE INDEX queue_log_agent_at_idx ON queue_log (tenant_id, agent_id, at)
  WHERE agent_id IS NOT NULL;
CREATE INDEX queue_log_call_idx ON queue_log (tenant_id, call_id) WHERE call_id IS NOT NULL;

-- One row per call leg (and per queue visit of a caller's leg); the rules the core
-- follows when writing them are in records.ts.
CREATE TABLE call_records (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- The core's call id; all legs of one call share it.
  call_id           text NOT NULL,
  -- 'inbound': a leg reaching the core (a caller's INVITE); 'outbound': a leg the
  -- core places (ringing a user's phone, or calling out through a trunk).
  leg               text NOT NULL CHECK (leg IN ('inbound', 'outbound')),
  -- The call as a whole: from outside in, from a user out, or user to user.
  direction         text NOT NULL CHECK (direction IN ('internal', 'incoming', 'outgoing')),
  started_at        timestamptz NOT NULL DEFAULT now(),
  answered_at       timestamptz,
  ended_at          timestamptz,
  caller_number     text,
  caller_name       text,
  callee_number     text,
  -- The user on this leg: whose phone rang (outbound), who placed the call, or who
  -- answered a caller from outside (inbound).
  user_id           uuid,
  queue_id          uuid,
  -- Caller's wait in the queue before answer (or until leaving unanswered).
  wait_ms           int CHECK (wait_ms >= 0),
  -- Answer to end of this row.
  talk_ms           int CHECK (talk_ms >= 0),
  -- NULL while the leg lasts.
  outcome           text CHECK (outcome IN (
                      'answered', 'no_answer', 'busy', 'rejected', 'abandoned', 'overflow',
                      'failed', 'cancelled', 'transferred')),
  -- The transfer target as dialled, normalised (E.164, extension or short number).
  transferred_to    text,
  transferred_by    uuid,
  overflow_queue_id uuid,
  -- The call came back after an unanswered transfer.
  recall            boolean NOT NULL DEFAULT false,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
    ON DELETE SET NULL (user_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id)
    ON DELETE SET NULL (queue_id),
  FOREIGN KEY (tenant_id, transferred_by) REFERENCES users (tenant_id, id)
    ON DELETE SET NULL (transferred_by),
  FOREIGN KEY (tenant_id, overflow_queue_id) REFERENCES queues (tenant_id, id)
    ON DELETE SET NULL (overflow_queue_id)
);

CREATE INDEX call_records_tenant_started_idx ON call_records (tenant_id, started_at);
CREATE INDEX call_records_queue_started_idx ON call_records (tenant_id, queue_id, started_at)
  WHERE queue_id IS NOT NULL;
CREATE INDEX call_records_user_started_idx ON call_records (tenant_id, user_id, started_at)
  WHERE user_id IS NOT NULL;
CREATE INDEX call_records_caller_idx ON call_records (tenant_id, caller_number, started_at);
-- Keep SET NULL on deleting a user or queue from scanning the whole table.
CREATE INDEX call_records_transferred_by_idx ON call_records (tenant_id, transferred_by)
  WHERE transferred_by IS NOT NULL;
CREATE INDEX call_records_overflow_queue_idx ON call_records (tenant_id, overflow_queue_id)
  WHERE overflow_queue_id IS NOT NULL;

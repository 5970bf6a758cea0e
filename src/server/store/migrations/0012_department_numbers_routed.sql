-- 0012 one number, one place, with departments: a queue or answer group may not take a
-- number that a department routes elsewhere (a department with a target, 0011). The
-- department side is checked by the store (departments.ts) under the same advisory lock.
-- A department without a target keeps its number as directory information and may
-- share it with a queue or answer group, as before (0002).
CREATE OR REPLACE FUNCTION sentral_check_routing_number() RETURNS trigger
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
  IF EXISTS (SELECT 1 FROM departments d
              WHERE d.tenant_id = NEW.tenant_id AND d.number = NEW.number
                AND d.target_kind IS NOT NULL
                AND NOT (TG_TABLE_NAME = 'queues' AND d.target_queue_id IS NOT DISTINCT FROM NEW.id)
                AND NOT (TG_TABLE_NAME = 'answer_groups'
                         AND d.target_answer_group_id IS NOT DISTINCT FROM NEW.id)) THEN
    RAISE EXCEPTION 'number % is already a department''s number', NEW.number
      USING ERRCODE = 'unique_violation', COLUMN = 'number';
  END IF;
  RETURN NEW;
END;
$$;

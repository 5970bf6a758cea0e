-- 0011 department targets: a department's own number can lead somewhere.
--
-- Until now departments.number (0001) was directory information only; a call to it
-- rang only where a queue or answer group owned the same number (0002). A department
-- may now name its target, a queue or an answer group of the same tenant, and a call
-- to the department's number goes there. Without a target the number stays
-- directory information, as before. Tenant-composite foreign keys as everywhere
-- (0001): a target cannot be in another tenant, and a queue or answer group that is
-- still a department's target cannot be deleted (NO ACTION): point the department
-- elsewhere first.
ALTER TABLE departments
  ADD COLUMN target_kind text CHECK (target_kind IN ('queue', 'answer-group')),
  ADD COLUMN target_queue_id uuid,
  ADD COLUMN target_answer_group_id uuid,
  ADD CONSTRAINT departments_target CHECK (
    num_nonnulls(target_queue_id, target_answer_group_id)
      = CASE WHEN target_kind IS NULL THEN 0 ELSE 1 END
    AND (target_kind IS NULL
      OR (target_kind = 'queue' AND target_queue_id IS NOT NULL)
      OR (target_kind = 'answer-group' AND target_answer_group_id IS NOT NULL))),
  ADD FOREIGN KEY (tenant_id, target_queue_id) REFERENCES queues (tenant_id, id),
  ADD FOREIGN KEY (tenant_id, target_answer_group_id) REFERENCES answer_groups (tenant_id, id);

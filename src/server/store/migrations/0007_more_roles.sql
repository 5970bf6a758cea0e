-- 0007 roles: 'user' (a colleague who only phones: no queues) and 'board' (a read-only kiosk
-- login for the queue board on a wall screen).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('user', 'agent', 'operator', 'supervisor', 'board', 'admin'));

-- A message id is scoped by its connection (up to 200 characters) and carries the sender's
-- delivery id (up to 300): the columns that keep it must hold both.
ALTER TABLE idempotency_keys ALTER COLUMN message_id SET DATA TYPE VARCHAR(600);
ALTER TABLE dead_letters ALTER COLUMN message_id SET DATA TYPE VARCHAR(600);

-- The worker numbers its output lines within an attempt and resends a batch it is unsure the
-- server stored (a lost response, a restart with an outbox). The highest line stored for the
-- current attempt makes that resend harmless: lines at or below the mark are already there.
ALTER TABLE tasks ADD COLUMN output_mark integer NOT NULL DEFAULT 0 CHECK (output_mark >= 0);

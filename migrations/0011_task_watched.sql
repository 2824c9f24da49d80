-- Whether the task's TaskStream object has live subscribers. Set and cleared only by that
-- object; every change of the task returns it, so a change nobody watches skips the live
-- fan-out (and the object's start-up) altogether. A subscriber sets it before reading the
-- events it missed: the row lock orders that write against any change, so either the change
-- sees the flag or the subscriber's read sees the change.
ALTER TABLE tasks ADD COLUMN watched boolean NOT NULL DEFAULT false;

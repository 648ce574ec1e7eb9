-- The day a 1:1 was actually held: the day it was completed when that was before its planned day,
-- else its planned day. Meetings held before this column existed keep their planned day, as they
-- showed it.
ALTER TABLE one_on_ones ADD COLUMN held_on TEXT;
UPDATE one_on_ones SET held_on = scheduled_on WHERE status = 'held';
CREATE INDEX one_on_ones_held ON one_on_ones(status, held_on);
-- A talking point not discussed when its meeting was completed is copied to the next meeting;
-- carried_from is the meeting it was first added to.
ALTER TABLE talking_points ADD COLUMN carried_from BIGINT REFERENCES one_on_ones(id) ON DELETE SET NULL;

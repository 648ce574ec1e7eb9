-- Check-in rounds: the People team (or a manager for their reporting line) asks everyone, a track
-- or a reporting line to check in by a due date. The people a round covers are taken when it
-- starts; their check-ins stay ordinary check-ins, and a round's progress is read from them.
CREATE TABLE checkin_rounds (
    id {id},
    name TEXT NOT NULL,
    due_on TEXT NOT NULL,
    scope TEXT NOT NULL,
    track_key TEXT,
    manager_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    started_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX checkin_rounds_open ON checkin_rounds(closed_at, due_on);
CREATE TABLE checkin_round_people (
    round_id BIGINT NOT NULL REFERENCES checkin_rounds(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (round_id, person_id)
);
CREATE INDEX checkin_round_people_person ON checkin_round_people(person_id, round_id);

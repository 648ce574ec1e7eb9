-- Promotion nominations: a manager's case for a report's new position, decided by the People team.
-- `status` is pending, approved, declined or withdrawn; `kind` is promotion (a higher level of the
-- same track) or lateral_move (another track). `from_*` is the position held when nominated;
-- `checkin_id` the latest agreed check-in then, shown with the case. `effective_on` is the date the
-- nominator proposes, then the date the position was recorded from on approval.
CREATE TABLE nominations (
    id {id},
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    nominated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    track_key TEXT NOT NULL,
    level_key TEXT NOT NULL,
    from_track_key TEXT,
    from_level_key TEXT,
    kind TEXT NOT NULL,
    version_number BIGINT,
    case_text TEXT NOT NULL,
    checkin_id BIGINT REFERENCES checkins(id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT,
    decision_note TEXT,
    effective_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX nominations_person ON nominations(person_id, status);
CREATE INDEX nominations_status ON nominations(status, id);
CREATE INDEX nominations_nominated_by ON nominations(nominated_by, status);
-- One pending nomination per person at a time: the People team decides on one case.
CREATE UNIQUE INDEX nominations_one_pending ON nominations(person_id) WHERE status = 'pending';
-- What the home page asks of another area's table: a person's open 1:1 action items.
CREATE INDEX action_items_owner ON action_items(owner_id, done_at);

-- Promotion nominations: a manager's case for a report's new position, decided by the People team.
CREATE TABLE nominations (
    id {id},
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    nominated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    track_key TEXT NOT NULL,
    level_key TEXT NOT NULL,
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

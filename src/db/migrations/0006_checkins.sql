-- Check-ins: a person's ratings on every competency of a track against a target level, by
-- themselves and their manager, then agreed. Ratings are a JSON object per side, keyed by
-- competency: {"key": {"rating": "meets", "comment": "...", "reason": "..."}}.
CREATE TABLE checkins (
    id {id},
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_key TEXT NOT NULL,
    level_key TEXT NOT NULL,
    version_number BIGINT NOT NULL,
    status TEXT NOT NULL,
    started_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    manager_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    self_ratings TEXT NOT NULL DEFAULT '{}',
    manager_ratings TEXT NOT NULL DEFAULT '{}',
    agreed_ratings TEXT NOT NULL DEFAULT '{}',
    self_shared_at BIGINT,
    manager_shared_at BIGINT,
    agreed_at BIGINT,
    agreed_on TEXT,
    summary TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX checkins_person ON checkins(person_id, status, id);
CREATE INDEX checkins_agreed_on ON checkins(agreed_on);
CREATE TABLE evidence (
    id {id},
    person_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    note TEXT,
    happened_on TEXT,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX evidence_person ON evidence(person_id, id);
CREATE TABLE evidence_competencies (
    evidence_id BIGINT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    competency_key TEXT NOT NULL,
    PRIMARY KEY (evidence_id, competency_key)
);
CREATE TABLE evidence_confirmations (
    evidence_id BIGINT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    comment TEXT,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (evidence_id, user_id)
);
-- Readiness: the rule of each track, and the result per person, recomputed when a check-in is
-- agreed, a position changes or a rule changes.
CREATE TABLE readiness_rules (
    track_key TEXT PRIMARY KEY,
    next_level_share BIGINT NOT NULL,
    all_meet_current BIGINT NOT NULL,
    required TEXT NOT NULL DEFAULT '[]',
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE TABLE readiness (
    person_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    checkin_id BIGINT REFERENCES checkins(id) ON DELETE SET NULL,
    track_key TEXT,
    level_key TEXT,
    reasons TEXT NOT NULL DEFAULT '[]',
    computed_at BIGINT NOT NULL
);
CREATE INDEX readiness_status ON readiness(status);

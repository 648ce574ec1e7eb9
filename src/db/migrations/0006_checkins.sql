-- Check-ins: a person's ratings on every competency of a track against a target level, by
-- themselves and their manager, then agreed. Ratings are a JSON object per side, keyed by
-- competency: {"key": {"rating": "meets", "comment": "...", "reason": "..."}}.
-- `status` is open (both sides rate), review (both shared: compare and agree), agreed or
-- cancelled. `revision` grows with every write: a write lands only on the revision it read.
-- Agreement needs both confirmations of the same agreed ratings: changing one clears the other
-- side's `*_confirmed_at`.
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
    self_confirmed_at BIGINT,
    manager_confirmed_at BIGINT,
    manager_confirmed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    agreed_at BIGINT,
    agreed_on TEXT,
    cancelled_at BIGINT,
    cancelled_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    summary TEXT,
    revision BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX checkins_person ON checkins(person_id, status, id);
CREATE INDEX checkins_agreed_on ON checkins(agreed_on, person_id);
-- One unfinished check-in per person and target position.
CREATE UNIQUE INDEX checkins_one_open ON checkins(person_id, track_key, level_key)
    WHERE status IN ('open', 'review');
-- A check-in page shows its own audit trail (`object = 'checkin:ID'`).
CREATE INDEX audit_events_object ON audit_events(object, id);
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
-- A colleague the owner asked to confirm one item: they may see that item and confirm or decline.
CREATE TABLE evidence_requests (
    evidence_id BIGINT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    asked_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    asked_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    answered_at BIGINT,
    PRIMARY KEY (evidence_id, user_id)
);
CREATE INDEX evidence_requests_user ON evidence_requests(user_id, status);
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
    next_level_key TEXT,
    reasons TEXT NOT NULL DEFAULT '[]',
    computed_at BIGINT NOT NULL
);
CREATE INDEX readiness_status ON readiness(status);
-- Readiness finds each person's latest agreed check-in against their current or next level from
-- this index alone, without reading the check-ins' ratings.
CREATE INDEX readiness_latest_checkin ON checkins(person_id, status, track_key, level_key, agreed_at, id);

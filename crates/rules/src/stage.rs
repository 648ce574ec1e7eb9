//! The six stages a People team goes through to introduce career tracks, in order, with what each
//! is for and the checklist it starts with. The roadmap keeps one of each; the self-check's advice
//! points to them.

use serde::{Deserialize, Serialize};

/// A stage of the rollout, in the order they are gone through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Awareness,
    Planning,
    Development,
    Training,
    Implementation,
    Measuring,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Awareness,
        Stage::Planning,
        Stage::Development,
        Stage::Training,
        Stage::Implementation,
        Stage::Measuring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Awareness => "awareness",
            Stage::Planning => "planning",
            Stage::Development => "development",
            Stage::Training => "training",
            Stage::Implementation => "implementation",
            Stage::Measuring => "measuring",
        }
    }

    pub fn parse(raw: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }

    /// The stage's name as people read it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Awareness => "Awareness",
            Stage::Planning => "Planning",
            Stage::Development => "Development",
            Stage::Training => "Training",
            Stage::Implementation => "Implementation",
            Stage::Measuring => "Measuring",
        }
    }

    /// What the stage is for.
    pub fn purpose(self) -> &'static str {
        match self {
            Stage::Awareness => {
                "Understand what career tracks are, and make the case for them to leadership."
            }
            Stage::Planning => {
                "Agree on what the organisation wants from career tracks and how you will know it worked."
            }
            Stage::Development => {
                "Write the tracks together with managers and teams, and get them ready to publish."
            }
            Stage::Training => {
                "Prepare managers to explain the tracks and use them in conversations with their reports."
            }
            Stage::Implementation => {
                "Put the tracks in front of every employee and show them how to use them."
            }
            Stage::Measuring => {
                "Find out how the tracks are working, share what you learn, and improve them."
            }
        }
    }

    /// How a team at this stage describes where it is, for the self-check.
    pub fn where_you_are(self) -> &'static str {
        match self {
            Stage::Awareness => "We are only starting to learn about career tracks.",
            Stage::Planning => "We are working out what we want career development to achieve.",
            Stage::Development => "We are writing tracks with managers and teams.",
            Stage::Training => "We are preparing managers to use the tracks with their reports.",
            Stage::Implementation => "We are handing the tracks to employees.",
            Stage::Measuring => "The tracks are in use; we are gathering feedback to improve them.",
        }
    }

    /// The checklist a stage starts with.
    pub fn default_checklist(self) -> &'static [&'static str] {
        match self {
            Stage::Awareness => &[
                "Take the readiness self-check in Trellis and keep its result",
                "Walk the People team through what the self-check found",
                "Prepare a few slides on what career tracks will bring, to win leadership's support",
                "Write down what could go wrong, and how you would notice early",
                "Find champions across the company and brief them on the project",
            ],
            Stage::Planning => &[
                "Hold a kickoff with People leads, business leaders, line managers and the champions",
                "Agree on a short list of objectives for the project",
                "Choose the measures that will show whether each objective is met",
                "Decide how managers, employees and the People team will open the tracks",
                "Plan where tracks show up: hiring, onboarding, reviews, pay and succession",
            ],
            Stage::Development => &[
                "List who helps write each team's track, and when",
                "Ask each team which roles and specialisms it needs",
                "Draft a first track for each team and review it with the people it concerns",
                "Work the feedback in and publish a version ready for the rollout",
                "Plan how and when employees will hear about the tracks",
            ],
            Stage::Training => &[
                "Run a workshop that introduces the tracks to managers",
                "Show managers why the tracks matter and how to talk about them with each report",
                "Go through the questions and problems managers are likely to meet, and the answers",
            ],
            Stage::Implementation => &[
                "Check which tools could carry the tracks to employees, and choose one",
                "Write a short guide for employees on reading and using their track",
                "Hold an open question-and-answer session for the whole company",
                "Ask every manager to hold a session with their team for its own questions",
                "Open the tracks to a pilot team first and fix what it stumbles on",
                "Open the tracks to the whole organisation",
            ],
            Stage::Measuring => &[
                "Compare the project's measures with where you started",
                "Send a short pulse survey within two weeks of the rollout",
                "Run a fuller survey on how employees receive the tracks",
                "Share a summary of the feedback with everyone, with what you will change",
                "Keep watching the measures and adjust the tracks as you learn",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_read_back_in_their_order_with_words_for_each() {
        for (i, stage) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
            assert_eq!(Stage::parse(&format!(" {} ", stage.as_str())), Some(stage));
            assert!(!stage.name().is_empty() && stage.purpose().ends_with('.'));
            assert!(!stage.where_you_are().is_empty());
            assert!(!stage.default_checklist().is_empty());
            if let Some(next) = Stage::ALL.get(i + 1) {
                assert!(stage < *next, "{stage:?} comes before {next:?}");
            }
        }
        assert_eq!(Stage::parse("launch"), None);
    }
}

//! The kinds of change the audit log records, one variant each. The stored name (`checkin.agree`) is
//! what the log shows, filters and exports; it never changes for a variant, since events already
//! written carry it.

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// What an audit event says was done. Every write records at least one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in the order of this list.
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// The name stored with the event.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    AccountInviteMany => "account.invite_many",
    AccountLink => "account.link",
    CheckinAgree => "checkin.agree",
    CheckinAgreedRating => "checkin.agreed_rating",
    CheckinCancel => "checkin.cancel",
    CheckinConfirm => "checkin.confirm",
    CheckinRate => "checkin.rate",
    CheckinReview => "checkin.review",
    CheckinShare => "checkin.share",
    CheckinStart => "checkin.start",
    CheckinRoundClose => "checkin_round.close",
    CheckinRoundStart => "checkin_round.start",
    EvidenceAdd => "evidence.add",
    EvidenceAsk => "evidence.ask",
    EvidenceConfirm => "evidence.confirm",
    EvidenceDecline => "evidence.decline",
    EvidenceEdit => "evidence.edit",
    EvidenceRemove => "evidence.remove",
    EvidenceUnconfirm => "evidence.unconfirm",
    EvidenceWithdrawRequest => "evidence.withdraw_request",
    FrameworkDiscard => "framework.discard",
    FrameworkEdit => "framework.edit",
    FrameworkImport => "framework.import",
    FrameworkPublish => "framework.publish",
    NominationApprove => "nomination.approve",
    NominationCreate => "nomination.create",
    NominationDecline => "nomination.decline",
    NominationWithdraw => "nomination.withdraw",
    OneOnOneAddActionItem => "one_on_one.add_action_item",
    OneOnOneAddTalkingPoint => "one_on_one.add_talking_point",
    OneOnOneComplete => "one_on_one.complete",
    OneOnOneMarkDiscussed => "one_on_one.mark_discussed",
    OneOnOneMoveTalkingPoint => "one_on_one.move_talking_point",
    OneOnOneRemoveTalkingPoint => "one_on_one.remove_talking_point",
    OneOnOneReopenActionItem => "one_on_one.reopen_action_item",
    OneOnOneReschedule => "one_on_one.reschedule",
    OneOnOneSavePrivateNote => "one_on_one.save_private_note",
    OneOnOneSaveSharedNotes => "one_on_one.save_shared_notes",
    OneOnOneStart => "one_on_one.start",
    OneOnOneStartTeam => "one_on_one.start_team",
    OneOnOneTickActionItem => "one_on_one.tick_action_item",
    PasswordChange => "password.change",
    PasswordReset => "password.reset",
    PasswordSet => "password.set",
    PeopleImport => "people.import",
    PersonCreate => "person.create",
    PersonDeprovision => "person.deprovision",
    PersonProvision => "person.provision",
    PersonRole => "person.role",
    PersonUpdate => "person.update",
    PlanAddAction => "plan.add_action",
    PlanAddNote => "plan.add_note",
    PlanChangeAction => "plan.change_action",
    PlanCreateGoal => "plan.create_goal",
    PlanDeleteGoal => "plan.delete_goal",
    PlanRemoveAction => "plan.remove_action",
    PlanTickAction => "plan.tick_action",
    PlanUntickAction => "plan.untick_action",
    PlanUpdateGoal => "plan.update_goal",
    PositionRecord => "position.record",
    ProvisioningFailed => "provisioning.failed",
    ReadinessRecompute => "readiness.recompute",
    ReadinessRule => "readiness.rule",
    ReadinessRuleReset => "readiness.rule_reset",
    RolloutItemAdded => "rollout.item_added",
    RolloutItemDone => "rollout.item_done",
    RolloutItemMoved => "rollout.item_moved",
    RolloutItemRemoved => "rollout.item_removed",
    RolloutItemReopened => "rollout.item_reopened",
    RolloutItemUpdated => "rollout.item_updated",
    RolloutRelease => "rollout.release",
    RolloutRoadmapCreated => "rollout.roadmap_created",
    RolloutSelfCheck => "rollout.self_check",
    RolloutStageUpdated => "rollout.stage_updated",
    SessionCreate => "session.create",
    SessionEnd => "session.end",
    SessionSlow => "session.slow",
    SurveyAudienceTaken => "survey.audience_taken",
    SurveyClose => "survey.close",
    SurveyCreate => "survey.create",
    SurveyOpen => "survey.open",
    SurveyQuestionAdd => "survey.question.add",
    SurveyQuestionEdit => "survey.question.edit",
    SurveyQuestionMove => "survey.question.move",
    SurveyQuestionRemove => "survey.question.remove",
    SurveyQuestionReplace => "survey.question.replace",
    SurveyRemove => "survey.remove",
    SurveyUpdate => "survey.update",
    TeamCreate => "team.create",
    TeamDelete => "team.delete",
    TeamUpdate => "team.update",
    TokenCreate => "token.create",
    TokenRevoke => "token.revoke",
    UserCreate => "user.create",
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn every_action_has_its_own_name_in_the_logs_shape() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            let name = action.as_str();
            assert!(seen.insert(name), "{name} is named twice");
            let (area, rest) = name.split_once('.').expect("area.verb");
            assert!(!area.is_empty() && !rest.is_empty(), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'),
                "{name}"
            );
        }
    }
}

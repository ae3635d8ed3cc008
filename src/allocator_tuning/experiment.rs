//! Every knob experiment runs in a child process started with the knob's
//! environment (`measure::child::run_mode_env`): the allocators read their
//! settings once, at start-up, for the whole process, and the resident set
//! is the whole process's.
//!
//! One child mode, [`CHILD_EXPERIMENT`], runs whichever [`Plan`] the
//! parent wrote as JSON into [`PLAN_ENV`], and prints its [`Outcome`] as one
//! JSON line after [`OUTCOME_TAG`]. The child is the same binary as the
//! parent (the CLI, the example, a bench), whose global allocator stays
//! glibc: the allocator under test is called directly
//! ([`super::allocators`]).

use super::churn::{ChurnPlan, Timeline, run_churn};
use super::forced::{ForcedPlan, ForcedReport, run_forced};
use super::knobs::{ArenaPlan, ArenaReport, run_arenas};
use super::stall::{StallPlan, StallReport, run_stall};
use crate::measure::child;
use std::time::Duration;

/// The child mode that runs a [`Plan`].
pub const CHILD_EXPERIMENT: &str = "allocator_tuning::experiment";
/// The environment variable that carries the plan, as JSON.
pub const PLAN_ENV: &str = "PERF_WORKBOOK_ALLOCATOR_PLAN";
/// What starts the child's result line.
pub const OUTCOME_TAG: &str = "allocator_tuning:outcome ";

/// What a child runs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Plan {
    /// The churn and the resident set after it.
    Churn(ChurnPlan),
    /// Reclamation seen from another thread.
    Stall(StallPlan),
    /// Reclamation forced in the hot path.
    Forced(ForcedPlan),
    /// Arenas after start-up code.
    Arenas(ArenaPlan),
}

impl Plan {
    /// The environment the child starts with.
    pub fn env(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Churn(p) => p.setting.env(),
            Self::Stall(p) => p.setting.env(),
            Self::Forced(_) => &[],
            Self::Arenas(p) => p.env(),
        }
    }
}

/// What a child reports.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// From [`Plan::Churn`].
    Churn(Timeline),
    /// From [`Plan::Stall`].
    Stall(StallReport),
    /// From [`Plan::Forced`].
    Forced(ForcedReport),
    /// From [`Plan::Arenas`].
    Arenas(ArenaReport),
}

/// Runs `plan` here (in this process).
pub fn run_here(plan: &Plan) -> Result<Outcome, String> {
    Ok(match plan {
        Plan::Churn(p) => Outcome::Churn(run_churn(p)?),
        Plan::Stall(p) => Outcome::Stall(run_stall(p)?),
        Plan::Forced(p) => Outcome::Forced(run_forced(p)?),
        Plan::Arenas(p) => Outcome::Arenas(run_arenas(p)?),
    })
}

/// The child's body: reads the plan, runs it, prints the outcome (exit 5 on
/// a failure it can report).
pub fn child_experiment() {
    let result = std::env::var(PLAN_ENV)
        .map_err(|e| format!("{PLAN_ENV}: {e}"))
        .and_then(|json| serde_json::from_str::<Plan>(&json).map_err(|e| e.to_string()))
        .and_then(|plan| run_here(&plan))
        .and_then(|o| serde_json::to_string(&o).map_err(|e| e.to_string()));
    match result {
        Ok(line) => println!("{OUTCOME_TAG}{line}"),
        Err(e) => {
            eprintln!("experiment failed: {e}");
            std::process::exit(5);
        }
    }
}

/// Runs `plan` in a fresh child process with the plan's environment (and
/// `extra`), and reads back its outcome.
pub fn run_in_child(plan: &Plan, timeout: Duration) -> Result<Outcome, String> {
    let json = serde_json::to_string(plan).map_err(|e| e.to_string())?;
    let mut env: Vec<(&str, &str)> = plan.env().to_vec();
    env.push((PLAN_ENV, &json));
    let o = child::run_mode_env(CHILD_EXPERIMENT, &env, timeout)
        .map_err(|e| format!("starting the child: {e}"))?;
    if !o.success() {
        return Err(format!(
            "the {plan:?} child ended with {}: {}",
            o.describe(),
            o.stderr.trim()
        ));
    }
    parse_outcome(&o.stdout)
        .ok_or_else(|| format!("the {plan:?} child printed no outcome"))
}

/// The outcome in a child's output (the line after [`OUTCOME_TAG`]).
pub fn parse_outcome(stdout: &str) -> Option<Outcome> {
    stdout.lines().find_map(|l| {
        let json = &l[l.find(OUTCOME_TAG)? + OUTCOME_TAG.len()..];
        serde_json::from_str(json).ok()
    })
}

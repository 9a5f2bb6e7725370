package schema

// Thresholds past which a repetition is flagged as not having offered the
// load it claims: it is kept and reported, never dropped.
const (
	RateMissTolerance = 0.05
	LagFlagNs         = 1_000_000
)

// The flags a repetition can carry (Run.Flags); readers such as report
// name them through these.
const (
	FlagRateMissed  = "offered-rate-missed"
	FlagScheduleLag = "schedule-lag-p99-over-1ms" // the name states LagFlagNs
)

// PhaseToleranceNs is how late a window edge may be sampled, or how long
// the final drain may take, before a repetition is flagged
// FlagPhaseStretched.
const PhaseToleranceNs = 100_000_000

// FlagPhaseStretched marks a repetition whose window edges were sampled,
// or whose drain ended, more than PhaseToleranceNs late: its time-based
// figures cover more than the planned window.
const FlagPhaseStretched = "phase-stretched-over-100ms" // the name states PhaseToleranceNs

// InterferenceLimit is the share of the window's CPU time on a scenario's
// CPUs that anything but ringbench may take, beyond what /proc/stat can
// resolve, before a repetition is flagged FlagInterference.
const InterferenceLimit = 0.01

// FlagInterference marks a repetition during which other work ran on its
// CPUs: its figures describe a shared machine, not the mode alone.
const FlagInterference = "interference"

// FlagCounts is how many repetitions of r carry each flag.
func FlagCounts(r *Result) map[string]int {
	n := map[string]int{}
	for _, s := range r.Scenarios {
		for _, run := range s.Runs {
			for _, f := range run.Flags {
				n[f]++
			}
		}
	}
	return n
}

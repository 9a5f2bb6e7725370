package view

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"ringbench/schema"
)

// ModeLabel names how a scenario reads: the mode, with its wait when it
// has a choice (epoll's thread and netpoll are different designs with
// different costs), as env.modes lists them.
func ModeLabel(p schema.Params) string { return schema.ModeLabel(p.Mode, p.Wait) }

// ModeOrder is the chart order of mode labels: the run's record of the
// modes its ringbench knew (env.modes), or, for a run from before that was
// recorded, the order this ringbench used then.
func ModeOrder(known []string) []string {
	if len(known) == 0 {
		return []string{"reader", "spin", "epoll-thread", "epoll-netpoll", "epoll"}
	}
	return known
}

// Variant names every knob of a scenario except transport, mode and rate:
// the scenarios of one variant form a sweep that charts can draw as lines
// per mode against rate.
func Variant(p schema.Params) string { return "wakeup=" + p.Wakeup + " " + SweepVariant(p) }

// SweepVariant is Variant less the wakeup policy, which a base sweep
// varies with the mode (NaturalWakeups) and names in its lines
// (LineLabel).
func SweepVariant(p schema.Params) string {
	parts := []string{"hashmap=" + p.Hashmap,
		fmt.Sprintf("batch=%d", p.Batch), fmt.Sprintf("payload=%d", p.Payload),
		fmt.Sprintf("producers=%d", p.Producers), fmt.Sprintf("ring=%d", p.RingBytes),
		"delivery=" + p.Delivery, "work=" + p.Work}
	if p.Consumers > 1 {
		parts = append(parts, fmt.Sprintf("consumers=%d", p.Consumers))
	}
	if p.CPUsPerRing > 1 {
		parts = append(parts, fmt.Sprintf("cpus-per-ring=%d", p.CPUsPerRing))
	}
	if p.Oversubscribe {
		parts = append(parts, "oversubscribed")
	}
	if p.Backoff != "" && p.Backoff != "none" {
		parts = append(parts, "backoff="+p.Backoff)
	}
	if p.Output {
		parts = append(parts, "output")
	}
	if p.B2B {
		parts = append(parts, "b2b")
	}
	if !p.Pin && p.Wait != "netpoll" {
		parts = append(parts, "nopin")
	}
	if p.Breakdown {
		parts = append(parts, "breakdown")
	}
	return strings.Join(parts, " ")
}

// LineLabel names a mode as a base sweep draws it: with the wakeup policy
// it ran with, "spin · none", "epoll-thread · sampled:64".
func LineLabel(p schema.Params) string { return ModeLabel(p) + " · " + p.Wakeup }

// PollingModes are the labels of the run's modes that never sleep for
// want of events (env.polling_modes), or, for a run from before they were
// recorded, the ones there were then.
func PollingModes(e schema.Env) []string {
	if len(e.PollingModes) == 0 {
		return []string{"spin", "c-mmap-spin"}
	}
	return e.PollingModes
}

// Polls says p's mode, waiting its way, never sleeps for want of events.
func Polls(p schema.Params, polling []string) bool { return slices.Contains(polling, ModeLabel(p)) }

// Natural says p runs with a wakeup policy its mode is run with in
// practice (schema.NaturalWakeups).
func Natural(p schema.Params, polling []string) bool {
	return slices.Contains(schema.NaturalWakeups(p.Transport, Polls(p, polling)), p.Wakeup)
}

// WastedWakeups says p's producer wakes a consumer that polls: every
// wakeup is work for the traced workload that nobody sleeps on.
func WastedWakeups(p schema.Params, polling []string) bool {
	return Polls(p, polling) && p.Wakeup != schema.QuietWakeup(p.Transport)
}

// Measured lists the scenarios with at least one completed repetition, in
// run order; skipped scenarios and ones whose every repetition failed have
// nothing to draw or compare.
func Measured(r *schema.Result) []schema.Scenario {
	var out []schema.Scenario
	for _, s := range r.Scenarios {
		if s.Skipped == "" && len(s.Summary) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// majorityVariant is the SweepVariant most of scenarios share; ties go
// to the one seen first.
func majorityVariant(scenarios []schema.Scenario) string {
	count := map[string]int{}
	var order []string
	for _, s := range scenarios {
		v := SweepVariant(s.Params)
		if count[v] == 0 {
			order = append(order, v)
		}
		count[v]++
	}
	sort.SliceStable(order, func(i, j int) bool { return count[order[i]] > count[order[j]] })
	if len(order) == 0 {
		return ""
	}
	return order[0]
}

// BaseSweep is the rate sweep of transport among scenarios, the one the
// charts and report.md compare modes on: the knobs (SweepVariant) most of
// the transport's scenarios share, and in it every mode at the wakeup
// policies it is run with in practice (Natural; a line per mode and
// policy, LineLabel), in run order. A mode that ran none of its natural
// policies at some rate (a run from before the presets gave them) is
// swept there as it ran. Wakeup policies are named per transport, so no
// sweep covers two.
func BaseSweep(scenarios []schema.Scenario, transport string, polling []string) (variant string, sweep []schema.Scenario) {
	var of []schema.Scenario
	for _, s := range scenarios {
		if s.Params.Transport == transport {
			of = append(of, s)
		}
	}
	variant = majorityVariant(of)
	var in []schema.Scenario
	for _, s := range of {
		if SweepVariant(s.Params) == variant {
			in = append(in, s)
		}
	}
	return variant, NaturalOrAsRan(in, polling, func(p schema.Params) string { return ModeLabel(p) + "@" + p.RateKey() })
}

// NaturalOrAsRan keeps, of scenarios in order, those at a natural wakeup
// policy, and those of a group (group(p): a mode at a rate, say) that has
// none at one: a run from before the presets gave modes their natural
// policies is shown as it ran.
func NaturalOrAsRan(scenarios []schema.Scenario, polling []string, group func(schema.Params) string) []schema.Scenario {
	natural := map[string]bool{}
	for _, s := range scenarios {
		if Natural(s.Params, polling) {
			natural[group(s.Params)] = true
		}
	}
	var out []schema.Scenario
	for _, s := range scenarios {
		if Natural(s.Params, polling) || !natural[group(s.Params)] {
			out = append(out, s)
		}
	}
	return out
}

// Transports lists the transports of scenarios in run order.
func Transports(scenarios []schema.Scenario) []string {
	var out []string
	for _, s := range scenarios {
		if !slices.Contains(out, s.Params.Transport) {
			out = append(out, s.Params.Transport)
		}
	}
	return out
}

// VariantDiff lists the knobs of p's variant that base (a Variant) lacks:
// "delivery=channel:64 work=200,128".
func VariantDiff(base string, p schema.Params) string { return fieldsNotIn(base, Variant(p)) }

// SweepVariantDiff is VariantDiff over SweepVariant: the knobs other than
// the wakeup policy.
func SweepVariantDiff(base string, p schema.Params) string { return fieldsNotIn(base, SweepVariant(p)) }

func fieldsNotIn(base, of string) string {
	have := strings.Fields(base)
	var out []string
	for _, f := range strings.Fields(of) {
		if !slices.Contains(have, f) {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

package claims

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"ringbench/bench"
	"ringbench/internal/cpu"
	"ringbench/machine"
	"ringbench/schema"
)

// IDs are the claims of CLAIMS.md, in order; PerfIDs those decided from
// timings (schema keeps both, for every reader of claims.json).
var IDs, PerfIDs = schema.ClaimIDs, schema.PerfClaimIDs

// DefaultBudget is the time ringbench claims gives the performance
// scenarios unless told otherwise.
const DefaultBudget = 3 * time.Minute

// Options select and bound a run of the checker.
type Options struct {
	Only    []string       // claim IDs; empty means all
	Measure bool           // run the performance scenarios
	Budget  time.Duration  // total time for them
	From    *schema.Result // decide performance claims from this instead
	Rate    uint64         // highest rate the performance scenarios offer
	Log     io.Writer      // progress, one line per scenario
}

// ParseOnly checks a comma-separated list of claim IDs.
func ParseOnly(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for _, id := range strings.Split(s, ",") {
		id = strings.ToUpper(strings.TrimSpace(id))
		if !slices.Contains(IDs, id) {
			return nil, fmt.Errorf("unknown claim %q (want %s)", id, strings.Join(IDs, ","))
		}
		out = append(out, id)
	}
	return out, nil
}

// Run decides the selected claims. The functional ones ask the kernel; the
// performance ones use o.From, or run Plan's scenarios within o.Budget, or
// are inconclusive when neither is allowed.
func Run(ctx context.Context, o Options) []Result {
	want := func(id string) bool { return len(o.Only) == 0 || slices.Contains(o.Only, id) }
	byID := map[string]Result{}
	var c1 c1Evidence
	if want("C1") || want("C2") || want("C10") {
		c1 = probeC1()
	}
	if want("C1") {
		byID["C1"] = decideC1(c1)
	}
	var c2 Result
	if want("C2") || want("C10") {
		c2 = runC2(c1)
		byID["C2"] = c2
	}
	if want("C3") {
		byID["C3"] = runC3()
	}
	if want("C4") {
		byID["C4"] = runC4()
	}
	if want("C5") {
		byID["C5"] = runC5()
	}
	if want("C10") {
		byID["C10"] = runC10(c1, c2)
	}
	if want("C12") {
		byID["C12"] = runC12()
	}
	if slices.ContainsFunc(PerfIDs, want) {
		for _, r := range performance(ctx, o) {
			if want(r.ID) {
				byID[r.ID] = r
			}
		}
	}
	var out []Result
	for _, id := range IDs {
		if r, ok := byID[id]; ok && want(id) {
			out = append(out, r)
		}
	}
	return out
}

func performance(ctx context.Context, o Options) []Result {
	if o.From != nil {
		return Decide(o.From)
	}
	if !o.Measure {
		return inconclusiveAll("not measured: --measure=false and no --from results folder given")
	}
	res, err := measure(ctx, o)
	if err != nil {
		return inconclusiveAll("measuring failed: " + err.Error())
	}
	return Decide(res)
}

func inconclusiveAll(why string) []Result {
	var out []Result
	for _, id := range PerfIDs {
		out = append(out, Result{ID: id, Claim: perfClaimText(id), Verdict: Inconclusive, Evidence: []string{why}})
	}
	return out
}

// measure runs Plan's scenarios, each repetition in a child process, with a
// duration chosen so the whole fits the budget.
func measure(ctx context.Context, o Options) (*schema.Result, error) {
	const reps, perRepOverhead, warmup = 3, 0.8, 0.3
	n := len(Plan(o.Rate, 1, warmup, reps))
	duration := o.Budget.Seconds()/float64(n*reps) - perRepOverhead - warmup
	if duration < 0.3 {
		return nil, fmt.Errorf("a budget of %v leaves %.2f s per repetition for %d scenarios × %d: raise --budget", o.Budget, duration, n, reps)
	}
	online, err := cpu.Online()
	if err != nil {
		return nil, err
	}
	res := &schema.Result{Schema: schema.Schema, Env: machine.CaptureEnv()}
	for i, p := range Plan(o.Rate, duration, warmup, reps) {
		if err := bench.Resolve(&p, online); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", p.ID(), err)
		}
		before := func(rep int) {
			if o.Log != nil {
				fmt.Fprintf(o.Log, "[%d/%d] %s (rep %d/%d, %.1fs)\n", i+1, n, p.ID(), rep+1, reps, duration)
			}
		}
		sc, err := bench.Repetitions(ctx, p, reps, before, nil)
		if err != nil {
			return nil, err
		}
		res.Scenarios = append(res.Scenarios, sc)
	}
	return res, nil
}

// perfClaimText is a performance claim's wording, the same whether or not
// it was decided.
func perfClaimText(id string) string {
	return map[string]string{"C6": c6Text, "C7": c7Text, "C8": c8Text, "C9": c9Text, "C11": c11Text}[id]
}

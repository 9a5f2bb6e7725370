package schema

import (
	"fmt"
	"sort"
	"strings"
)

// Verify re-checks a result as a reader of run.json would: every run
// accounts for every event, passed its own checks, and measured latency.
// It returns one line per problem; none means the result is sound.
func Verify(r *Result) []string {
	var problems []string
	bad := func(id string, i int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s run %d: %s", id, i+1, fmt.Sprintf(format, args...)))
	}
	if len(r.Scenarios) == 0 {
		problems = append(problems, "no scenarios")
	}
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			continue
		}
		if len(s.Runs) == 0 {
			problems = append(problems, s.ID+": no runs")
		}
		for i, run := range s.Runs {
			if run.Incomplete() {
				bad(s.ID, i, "did not complete: %s", run.Error)
				continue
			}
			e := run.Events
			if e.Emitted != e.Consumed+e.Dropped {
				bad(s.ID, i, "emitted %d ≠ consumed %d + dropped %d", e.Emitted, e.Consumed, e.Dropped)
			}
			if e.Emitted == 0 {
				bad(s.ID, i, "no events were emitted")
			}
			if e.Duplicates+e.OutOfOrder+e.Negative+e.Malformed != 0 {
				bad(s.ID, i, "%d duplicates, %d out of order, %d negative latencies, %d malformed",
					e.Duplicates, e.OutOfOrder, e.Negative, e.Malformed)
			}
			if len(run.Checks) == 0 {
				bad(s.ID, i, "no checks recorded")
			}
			for _, c := range run.Failed() {
				bad(s.ID, i, "check %s failed: %s", c.Name, c.Detail)
			}
			l := run.LatencyNs
			if s.Params.NoLatency { // no timestamps: sequences alone were checked
				if e.WindowConsumed == 0 {
					bad(s.ID, i, "no event consumed in the window")
				}
				continue
			}
			if l.Count == 0 || l.P99 == nil || *l.P99 <= 0 || l.Min == nil || *l.Min <= 0 {
				bad(s.ID, i, "latency not measured (count %d)", l.Count)
			}
		}
	}
	return problems
}

// Unexplained lists the figures of r that are null with no reason under
// unsupported: a reason's key covers the figure of that path and every
// figure whose path it begins ("go.gc_pause" covers go.gc_pause_p99_ns).
// Whole sections that are null by design (syscalls without the counter)
// count as one figure.
func Unexplained(r Run) []string {
	var out []string
	figures(r, func(path string, v any) {
		if v == nil && !strings.HasPrefix(path, "unsupported.") && !explained(path, r.Unsupported) {
			out = append(out, path)
		}
	})
	sort.Strings(out)
	return out
}

func explained(path string, reasons map[string]string) bool {
	for k := range reasons {
		if strings.HasPrefix(path, k) {
			return true
		}
	}
	return false
}

package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"ringbench/schema"
)

// Table prints one line per scenario run: accounting, throughput and
// latency, the figures a reader checks first.
func Table(w io.Writer, r schema.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\temitted\tconsumed\tdropped\tconsumed/s\tp50\tp99\tp99.9\tmax\t  scenario")
	for _, s := range r.Scenarios {
		for i, run := range s.Runs {
			if run.Incomplete() {
				fmt.Fprintf(tw, "%d\t\t\t\t\t\t\t\t\t  %s: FAILED: %s\n", i+1, s.ID, run.Error)
				continue
			}
			e, l := run.Events, run.LatencyNs
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t  %s\n", i+1,
				e.Emitted, e.Consumed, e.Dropped, Rate(run.Throughput.ConsumedEPS),
				Nanos(l.P50), Nanos(l.P99), Nanos(l.P999), Nanos(l.Max), s.ID)
		}
	}
	tw.Flush()
}

// Rate formats events per second with an SI prefix.
func Rate(eps float64) string {
	switch {
	case eps >= 1e6:
		return fmt.Sprintf("%.2fM", eps/1e6)
	case eps >= 1e3:
		return fmt.Sprintf("%.1fk", eps/1e3)
	}
	return fmt.Sprintf("%.0f", eps)
}

// Nanos formats a nullable duration in ns with a readable unit; "-" when
// it was not measured.
func Nanos(v *int64) string {
	if v == nil {
		return "-"
	}
	ns := float64(*v)
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2fs", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1fµs", ns/1e3)
	}
	return fmt.Sprintf("%.0fns", ns)
}

package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"ringbench/schema"
)

// csvMetrics are summary.csv's figures, each as mean and sample stddev over
// the scenario's completed repetitions.
var csvMetrics = schema.MetricsAt("throughput.consumed_eps", "throughput.dropped_eps", "latency_ns.p50",
	"latency_ns.p99", "latency_ns.p999", "os.cpu_ns_per_event", "os.syscalls_per_event", "go.allocs_per_event",
	"go.gc_pause_p99_ns", "go.sched_events_per_event", "producer.bpf_ns_per_event",
	"producer.trigger_p99_ns", "memory.map_memlock.rbn_flows")

// SummaryCSV renders one row per scenario that ran (a skipped one has no
// figures): its knobs, how many repetitions completed, and the key
// figures' mean and stddev (empty where not measured or with fewer than
// two repetitions).
func SummaryCSV(r *schema.Result) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := []string{"id", "transport", "mode", "wait", "wakeup", "hashmap", "rate", "batch", "payload",
		"delivery", "work", "pin", "b2b", "reps", "failed_reps"}
	for _, m := range csvMetrics {
		header = append(header, m.Path+".mean", m.Path+".sd")
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			continue // no runs: the machine or kernel cannot run it
		}
		p := s.Params
		failed := 0
		for _, run := range s.Runs {
			if !run.Trusted() {
				failed++
			}
		}
		row := []string{s.ID, p.Transport, p.Mode, p.Wait, p.Wakeup, p.Hashmap, strconv.FormatUint(p.Rate, 10),
			strconv.Itoa(p.Batch), strconv.Itoa(p.Payload), p.Delivery, p.Work, strconv.FormatBool(p.Pin),
			strconv.FormatBool(p.B2B), strconv.Itoa(len(s.Runs) - failed), strconv.Itoa(failed)}
		for _, m := range csvMetrics {
			st, ok := s.Summary[m.Path]
			mean, sd := "", ""
			if ok {
				mean = num(st.Mean)
				if st.Stddev != nil {
					sd = num(*st.Stddev)
				}
			}
			row = append(row, mean, sd)
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("summary.csv: %w", err)
	}
	return b.Bytes(), nil
}

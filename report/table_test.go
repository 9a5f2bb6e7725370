package report

import (
	"bytes"
	"strings"
	"testing"

	"ringbench/schema"
)

func TestNanosAndRate(t *testing.T) {
	v := func(x int64) *int64 { return &x }
	for in, want := range map[*int64]string{nil: "-", v(850): "850ns", v(12_345): "12.3µs", v(4_560_000): "4.56ms", v(2_500_000_000): "2.50s"} {
		if got := Nanos(in); got != want {
			t.Errorf("Nanos(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]string{999: "999", 12_345: "12.3k", 2_345_678: "2.35M"} {
		if got := Rate(in); got != want {
			t.Errorf("Rate(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestTable(t *testing.T) {
	p99 := int64(71_000)
	r := schema.Result{Scenarios: []schema.Scenario{{ID: "ringbuf/reader/x", Runs: []schema.Run{{
		Events:     schema.Events{Emitted: 10, Consumed: 9, Dropped: 1},
		Throughput: schema.Throughput{ConsumedEPS: 100_000},
		LatencyNs:  schema.Latency{P99: &p99},
	}}}}}
	var b bytes.Buffer
	Table(&b, r)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want header + 1 row, got %q", b.String())
	}
	for _, want := range []string{"10", "9", "1", "100.0k", "71.0µs", "-", "ringbuf/reader/x"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("row %q lacks %q", lines[1], want)
		}
	}
}

package bench

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"ringbench/internal/cpu"
	"ringbench/internal/testutil"
	"ringbench/schema"
)

// Channel delivery with back-pressure once starved the scenario's main
// goroutine for seconds (the reading thread and the worker handing one P
// back and forth): repetitions ran late or hung. Each variant runs as
// children, as a matrix runs it; none may hang, fail or run a phase late.
// RINGBENCH_STRESS_REPS sets the repetitions per variant (default 4; the
// issue's stress is 30).
func TestChannelDeliveryNeverStarves(t *testing.T) {
	testutil.RequireBPF(t)
	reps := 4
	if n, err := strconv.Atoi(os.Getenv("RINGBENCH_STRESS_REPS")); err == nil && n > 0 {
		reps = n
	}
	var worstLate int64
	for _, transport := range []string{schema.TransportRingbuf, schema.TransportPerfbuf} {
		for _, mode := range []string{"spin", "epoll"} {
			p := schema.Defaults()
			p.Transport, p.Mode, p.Rate, p.Delivery = transport, mode, 100_000, "channel:64"
			p.DurationS, p.WarmupS = 0.5, 0.3
			p.ConsumerCPU = -1
			online, err := cpu.Online()
			if err != nil {
				t.Fatal(err)
			}
			if err := Resolve(&p, online); err != nil {
				t.Skip(err)
			}
			for i := range reps {
				o, err := RunIsolated(context.Background(), p, nil)
				if err != nil {
					t.Fatal(err)
				}
				c := o.Run.Consumer
				worstLate = max(worstLate, c.OpenLateNs, c.CloseLateNs)
				switch {
				case o.Run.Error != "":
					t.Errorf("%s rep %d: %s\n%.3000s", p.ID(), i+1, o.Run.Error, o.Run.StderrTail)
				case slices.Contains(o.Run.Flags, schema.FlagPhaseStretched):
					t.Errorf("%s rep %d: a phase ran late: window opened %v late, closed %v late, drained in %v",
						p.ID(), i+1, time.Duration(c.OpenLateNs), time.Duration(c.CloseLateNs), time.Duration(c.StopNs))
				}
			}
		}
	}
	t.Logf("%d repetitions per variant; the window's edges were sampled at most %v late", reps, time.Duration(worstLate))
}

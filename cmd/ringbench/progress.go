package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"ringbench/report/view"
	"ringbench/schema"
)

// progress tells the person waiting for a matrix how far it got: a bar on
// a terminal, one line per finished scenario anywhere else (CI, pipes).
type progress struct {
	w       io.Writer
	width   int // of the terminal; the description is cut to fit one line
	bar     *progressbar.ProgressBar
	total   int // scenarios
	reps    int
	start   time.Time
	desc    string
	stopped chan struct{}
}

func newProgress(w io.Writer, scenarios, reps, skipped int) *progress {
	p := &progress{w: w, total: scenarios, reps: reps, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.width = 120
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			p.width = cols
		}
		p.bar = progressbar.NewOptions((scenarios-skipped)*reps,
			progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true), progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30), progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetRenderBlankState(true))
		// Elapsed time moves while a repetition runs, not only when one ends.
		p.stopped = make(chan struct{})
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					p.bar.Describe(p.desc)
				case <-p.stopped:
					return
				}
			}
		}()
	}
	return p
}

// begin is called as repetition rep of scenario n (1-based) starts.
func (p *progress) begin(n int, id string, rep int) {
	if p.bar != nil {
		p.desc = fmt.Sprintf("[%d/%d] %s rep %d/%d", n, p.total, id, rep, p.reps)
		// The bar, count and times take about 60 columns.
		if room := p.width - 62; room > 10 && len(p.desc) > room {
			p.desc = "…" + p.desc[len(p.desc)-room+1:]
		}
		p.bar.Describe(p.desc)
	}
}

// repDone is called when a repetition ends, however it ended.
func (p *progress) repDone() {
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// scenarioDone reports a finished (or skipped) scenario.
func (p *progress) scenarioDone(n int, s schema.Scenario, done, remaining int) {
	line := fmt.Sprintf("[%d/%d] %s: %s", n, p.total, s.ID, scenarioLine(s))
	if p.bar != nil {
		p.bar.Clear()
		fmt.Fprintln(p.w, line)
		p.bar.Describe(p.desc)
		return
	}
	elapsed := time.Since(p.start).Round(time.Second)
	eta := "?"
	if done > 0 {
		eta = (elapsed / time.Duration(done) * time.Duration(remaining)).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "%s (elapsed %v, eta %s)\n", line, elapsed, eta)
}

func (p *progress) finish() {
	if p.bar != nil {
		close(p.stopped)
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// scenarioLine is a finished scenario in a few figures.
func scenarioLine(s schema.Scenario) string {
	if s.Skipped != "" {
		return "skipped: " + s.Skipped
	}
	ok := 0
	for _, r := range s.Runs {
		if !r.Incomplete() {
			ok++
		}
	}
	line := fmt.Sprintf("%d/%d reps", ok, len(s.Runs))
	for _, m := range schema.MetricsAt("throughput.consumed_eps", "latency_ns.p99", "throughput.dropped_eps", "os.cpu_ns_per_event") {
		if st, ok := s.Summary[m.Path]; ok {
			line += ", " + m.Label + " " + view.UnitFormat(m.Unit)(st.Mean)
		}
	}
	return line
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bench"
	"ringbench/bpf"
	"ringbench/report"
	"ringbench/schema"
)

// execution runs scenarios one repetition at a time, each in a child
// process, and writes the run folder. With incremental set the folder is
// rewritten after every scenario, so a run killed at any point leaves
// complete files for what finished.
type execution struct {
	res         schema.Result
	hists       []scenarioHists
	dir         string
	reps        int
	incremental bool
	progress    *progress // nil: one line per repetition, as ringbench run prints
	stderr      io.Writer
	failed      int // checks that did not hold
	incomplete  int // repetitions that did not complete
}

var errInterrupted = errors.New("interrupted")

// scenario runs one scenario's repetitions and adds it to the result. It
// returns errInterrupted when ctx is cancelled; that scenario is dropped.
func (x *execution) scenario(ctx context.Context, n, total int, p schema.Params) error {
	return x.interleaved(ctx, n, total, []schema.Params{p})
}

// interleaved runs scenarios n, n+1, … a repetition round at a time (A, B,
// A, B…) and adds them to the result; cancelled, it drops them all.
func (x *execution) interleaved(ctx context.Context, n, total int, ps []schema.Params) error {
	ids := make([]string, len(ps))
	hs := make([]scenarioHists, len(ps))
	for i, p := range ps {
		ids[i] = p.ID()
		// The scenario's own window (a matrix block may set its own duration).
		hs[i] = scenarioHists{durationMs: int64(math.Round(p.DurationS * 1000))}
	}
	before := func(i, rep int) {
		if x.progress != nil {
			x.progress.begin(n+i, ids[i], rep+1)
		} else {
			fmt.Fprintf(x.stderr, "[%d/%d] %s (rep %d/%d, %gs + %gs warm-up)\n", n+i, total, ids[i], rep+1, x.reps, ps[i].DurationS, ps[i].WarmupS)
		}
	}
	after := func(i, rep int, o bench.Outcome) {
		if x.progress != nil {
			x.progress.repDone()
		}
		if o.Run.Incomplete() {
			x.incomplete++
			x.warn("ringbench: %s rep %d failed: %s; going on\n", ids[i], rep+1, o.Run.Error)
		} else {
			x.res.Env.Attach = string(o.Attach)
			x.res.Env.AttachRefused = refusedList(o.Refused)
			hs[i].add(o)
		}
		for _, c := range o.Run.Failed() {
			x.failed++
			x.warn("ringbench: %s: check %s failed: %s\n", ids[i], c.Name, c.Detail)
		}
	}
	scs, err := bench.Interleaved(ctx, ps, x.reps, before, after)
	if errors.Is(err, bench.ErrInterrupted) {
		return errInterrupted
	}
	if err != nil {
		return err
	}
	x.res.Scenarios = append(x.res.Scenarios, scs...)
	x.hists = append(x.hists, hs...)
	if x.incremental {
		return x.write(false)
	}
	return nil
}

// skip records a scenario this machine cannot run.
func (x *execution) skip(p schema.Params, why string) error {
	x.res.Scenarios = append(x.res.Scenarios, schema.Scenario{ID: p.ID(), Params: p, Skipped: why})
	x.hists = append(x.hists, scenarioHists{})
	if x.incremental {
		return x.write(false)
	}
	return nil
}

func (x *execution) warn(format string, args ...any) {
	if x.progress != nil && x.progress.bar != nil {
		x.progress.bar.Clear()
	}
	fmt.Fprintf(x.stderr, format, args...)
}

// write stores the run folder: each scenario's histograms (once), then
// run.json, bench.txt and summary.csv, every file atomically.
func (x *execution) write(all bool) error {
	if err := os.MkdirAll(x.dir, 0o755); err != nil {
		return err
	}
	for i := range x.res.Scenarios {
		s := &x.res.Scenarios[i]
		if s.Skipped != "" || (s.Hgrm != nil && !all) || x.hists[i].latency == nil && len(x.hists[i].reps) == 0 {
			continue
		}
		var err error
		if s.Hgrm, err = x.hists[i].write(x.dir, i+1); err != nil {
			return err
		}
	}
	if err := schema.WriteJSON(filepath.Join(x.dir, "run.json"), x.res); err != nil {
		return err
	}
	if err := schema.WriteFileAtomic(filepath.Join(x.dir, "bench.txt"), report.BenchTxt(&x.res)); err != nil {
		return err
	}
	csv, err := report.SummaryCSV(&x.res)
	if err != nil {
		return err
	}
	return schema.WriteFileAtomic(filepath.Join(x.dir, "summary.csv"), csv)
}

func refusedList(m map[bpf.AttachMethod]string) []string {
	var out []string
	for _, method := range bpf.AttachOrder {
		if why, ok := m[method]; ok {
			out = append(out, string(method)+": "+why)
		}
	}
	return out
}

// verdict turns failed checks into exit status 1 and says how many
// repetitions did not complete.
func (x *execution) verdict(stderr io.Writer) error {
	if x.failed > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d checks failed: the results above are not trustworthy", x.failed)}
	}
	if x.incomplete > 0 {
		fmt.Fprintf(stderr, "ringbench: %d repetitions did not complete; run.json says why (ringbench verify lists them)\n", x.incomplete)
	}
	return nil
}

// scenarioHists merges a scenario's distributions over its repetitions.
type scenarioHists struct {
	latency, gc *hdrhistogram.Histogram
	reps        []*hdrhistogram.Histogram // each repetition's latency, for the .hlog
	durationMs  int64
}

func (s *scenarioHists) add(o bench.Outcome) {
	merge := func(into **hdrhistogram.Histogram, h *hdrhistogram.Histogram) {
		if h == nil {
			return
		}
		if *into == nil {
			*into = hdrhistogram.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
		}
		(*into).Merge(h)
	}
	merge(&s.latency, o.Latency)
	merge(&s.gc, o.GCPauses)
	s.reps = append(s.reps, o.Latency)
}

// write stores the merged distributions as .hgrm files and returns their
// names by kind.
func (s *scenarioHists) write(dir string, n int) (map[string]string, error) {
	names := map[string]string{}
	for kind, h := range map[string]*hdrhistogram.Histogram{"latency": s.latency, "gc_pauses": s.gc} {
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		name := fmt.Sprintf("scenario-%02d.%s.hgrm", n, kind)
		if err := report.WriteHgrm(filepath.Join(dir, name), h); err != nil {
			return nil, err
		}
		names[kind] = name
	}
	if len(s.reps) > 0 {
		b, err := report.HlogReps(s.reps, s.durationMs)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("scenario-%02d.latency.hlog", n)
		if err := schema.WriteFileAtomic(filepath.Join(dir, name), b); err != nil {
			return nil, err
		}
		names["latency_hlog"] = name
	}
	return names, nil
}

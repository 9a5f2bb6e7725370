package compare

import (
	"fmt"
	"math"
	"path/filepath"

	"ringbench/report/view"
	"ringbench/schema"
)

// CompareAlpha and CompareConfidence are the thresholds of ringbench
// compare: benchstat's defaults, so both tools call the same changes
// significant.
const (
	CompareAlpha      = 0.05
	CompareConfidence = 0.95
)

// CompareRun is one run given to ringbench compare.
type CompareRun struct {
	Label    string // "A", "B", … in the order given; A is the baseline
	Path     string // the run.json read
	Name     string // its folder's name, e.g. 20261123T222957Z-6.18.44-…-host
	Result   *schema.Result
	Emulated bool // measured under an emulator: see RunEmulated
}

// LoadCompareRun reads a run folder or a run.json for comparison.
func LoadCompareRun(path string) (*CompareRun, error) {
	path = schema.RunPath(path)
	res, err := schema.ReadResult(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return &CompareRun{Path: path, Name: filepath.Base(dir), Result: res,
		Emulated: RunEmulated(res.Env)}, nil
}

// CompareSide is one run's sample of one metric in one scenario: the
// figure of every completed repetition, its median and the median's
// confidence interval (benchmath.AssumeNothing, as benchstat computes it).
type CompareSide struct {
	Values []float64 `json:"values"` // ascending
	N      int       `json:"n"`
	Median float64   `json:"median"`
	// CILo and CIHi bound the median at CompareConfidence; null when
	// there are too few repetitions for a finite interval (fewer than 6
	// at 95%).
	CILo *float64 `json:"ci_lo"`
	CIHi *float64 `json:"ci_hi"`
	// CIPct is the interval as benchstat prints it: "3%", "∞", "?".
	CIPct string `json:"ci_pct"`
}

// Verdicts of a metric comparison.
const (
	VerdictBetter   = "better"
	VerdictWorse    = "worse"
	VerdictNoChange = "~"       // the U test finds no difference at CompareAlpha
	VerdictTooFew   = "too few" // no difference could be significant with these repetitions
)

// MetricComparison is one metric of one scenario, Other against Base.
type MetricComparison struct {
	Scenario string      `json:"scenario"`
	Metric   string      `json:"metric"` // a compareMetric key, e.g. "latency_p99"
	Base     CompareSide `json:"base"`
	Other    CompareSide `json:"other"`
	// ChangePct is (other median / base median − 1) × 100; null when the
	// base median is 0 and the other is not.
	ChangePct *float64 `json:"change_pct"`
	// DetectablePct is the smallest change, in % of the base median,
	// that this comparison could have called significant with the
	// repetitions and spreads it saw (cmpDetectable); null when none
	// could be, and for a significant change, which needs none.
	DetectablePct *float64 `json:"detectable_pct"`
	P             float64  `json:"p"`
	// DriftPct, when the runs hold repeats of one kernel (A and A′), is
	// the largest change between such repeats in this scenario and
	// metric: the machine's own drift. WithinDrift says this change is no
	// larger, so it is not attributed to the kernel.
	DriftPct    *float64 `json:"drift_pct,omitempty"`
	WithinDrift bool     `json:"within_drift,omitempty"`
	Significant bool     `json:"significant"`
	Verdict     string   `json:"verdict"`
	Warnings    []string `json:"warnings,omitempty"`
}

// ComparePair is every comparison of one run against the baseline.
type ComparePair struct {
	Base      string             `json:"base"`  // label of the baseline run
	Other     string             `json:"other"` // label of the compared run
	Common    []string           `json:"common"`
	OnlyBase  []string           `json:"only_base,omitempty"`
	OnlyOther []string           `json:"only_other,omitempty"`
	Rows      []MetricComparison `json:"comparisons"`
	// OneSided counts scenario metrics measured on one side only (null
	// there: unsupported, or no GC pause in the window).
	OneSided int `json:"one_sided"`
	// SameKernel says both runs ran the same kernel: what differs between
	// them is the machine's drift, against which the other pairs' changes
	// are held.
	SameKernel bool `json:"same_kernel,omitempty"`
}

// CompareResult is what ringbench compare prints and writes.
type CompareResult struct {
	Runs     []*CompareRun
	Pairs    []ComparePair
	Env      []CompareEnvRow
	Warnings []string // loud: different machines, emulation, interrupted runs
	// Per run: measured scenarios by ID, and their metric samples by
	// scenario ID and metric key.
	byID []map[string]schema.Scenario
	vals []map[string]map[string][]float64
}

// Compare compares every run with the first. It fails, as bad input, with
// fewer than two runs or when a run shares no measured scenario with the
// first.
func Compare(runs []*CompareRun) (*CompareResult, error) {
	if len(runs) < 2 {
		return nil, fmt.Errorf("compare needs at least two runs, got %d", len(runs))
	}
	c := &CompareResult{Runs: runs}
	for i, r := range runs {
		r.Label = cmpRunLabel(i)
		m := map[string]schema.Scenario{}
		v := map[string]map[string][]float64{}
		for _, s := range view.Measured(r.Result) {
			m[s.ID], v[s.ID] = s, cmpValues(s)
		}
		c.byID, c.vals = append(c.byID, m), append(c.vals, v)
	}
	base := runs[0]
	for i, other := range runs[1:] {
		pair := c.pair(base, other, i+1)
		if len(pair.Common) == 0 {
			return nil, fmt.Errorf("%s and %s have no measured scenario in common", base.Path, other.Path)
		}
		c.Pairs = append(c.Pairs, pair)
	}
	c.applyDrift()
	c.Env = cmpEnvDiff(runs)
	c.Warnings = cmpEnvWarnings(runs)
	return c, nil
}

// cmpRunLabel is A, B, …, Z, then R27, R28, ….
func cmpRunLabel(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return fmt.Sprintf("R%d", i+1)
}

// pair compares run i with the baseline.
func (c *CompareResult) pair(base, other *CompareRun, i int) ComparePair {
	bm, om := c.byID[0], c.byID[i]
	p := ComparePair{Base: base.Label, Other: other.Label}
	for _, s := range view.Measured(base.Result) {
		if _, ok := om[s.ID]; ok {
			p.Common = append(p.Common, s.ID)
		} else {
			p.OnlyBase = append(p.OnlyBase, s.ID)
		}
	}
	for _, s := range view.Measured(other.Result) {
		if _, ok := bm[s.ID]; !ok {
			p.OnlyOther = append(p.OnlyOther, s.ID)
		}
	}
	for _, id := range p.Common {
		bv, ov := c.vals[0][id], c.vals[i][id]
		for _, m := range compareMetrics {
			x, y := bv[m.Key], ov[m.Key]
			if len(x) == 0 && len(y) == 0 {
				continue
			}
			if len(x) == 0 || len(y) == 0 {
				p.OneSided++
				continue
			}
			row := cmpSamples(x, y, m.Higher)
			row.Scenario, row.Metric = id, m.Key
			p.Rows = append(p.Rows, row)
		}
	}
	return p
}

// CompareCounts sums up a pair: comparisons made, significant ones
// (better, worse), and those with too few repetitions to tell.
type CompareCounts struct {
	Compared    int `json:"compared"`
	Significant int `json:"significant"`
	Better      int `json:"better"`
	Worse       int `json:"worse"`
	TooFew      int `json:"too_few"`
	OneSided    int `json:"one_sided"`
	// WithinDrift counts the significant changes no larger than the
	// machine's drift between repeats of one kernel.
	WithinDrift int `json:"within_drift,omitempty"`
}

// Counts sums up p's rows.
func (p ComparePair) Counts() CompareCounts {
	c := CompareCounts{Compared: len(p.Rows), OneSided: p.OneSided}
	for _, r := range p.Rows {
		switch r.Verdict {
		case VerdictBetter:
			c.Better++
		case VerdictWorse:
			c.Worse++
		case VerdictTooFew:
			c.TooFew++
		}
		if r.Significant && r.WithinDrift {
			c.WithinDrift++
		}
	}
	c.Significant = c.Better + c.Worse
	return c
}

// applyDrift holds every change against the machine's own drift: the
// largest change, per scenario and metric, between two runs of the same
// kernel on the same machine (the release, and the facts that identify a
// machine: cmpMachine). A change between kernels no larger than that is
// marked WithinDrift. Only runs of two kernels or more, one of them run
// twice, are judged so: runs of one kernel compare whatever else differs
// between them.
func (c *CompareResult) applyDrift() {
	// A kernel on one machine: the same release elsewhere differs by
	// more than the kernel.
	kernel := func(i int) string { return c.Runs[i].Result.Env.Kernel + "@" + cmpMachine(c.Runs[i]) }
	kernels := map[string]int{}
	repeated := false
	for i := range c.Runs {
		kernels[kernel(i)]++
		repeated = repeated || kernels[kernel(i)] > 1
	}
	if len(kernels) < 2 || !repeated {
		return
	}
	drift := map[string]float64{}
	for i := range c.Runs {
		for j := i + 1; j < len(c.Runs); j++ {
			if kernel(i) != kernel(j) {
				continue
			}
			for id, xv := range c.vals[i] {
				yv, ok := c.vals[j][id]
				if !ok {
					continue
				}
				for _, m := range compareMetrics {
					x, y := xv[m.Key], yv[m.Key]
					if len(x) == 0 || len(y) == 0 {
						continue
					}
					if r := cmpTest(x, y, m.Higher); r.ChangePct != nil {
						k := id + "|" + m.Key
						drift[k] = math.Max(drift[k], math.Abs(*r.ChangePct))
					}
				}
			}
		}
	}
	for pi := range c.Pairs {
		p := &c.Pairs[pi]
		p.SameKernel = kernel(0) == kernel(pi+1)
		for ri := range p.Rows {
			r := &p.Rows[ri]
			d, ok := drift[r.Scenario+"|"+r.Metric]
			if !ok || p.SameKernel {
				continue
			}
			r.DriftPct = cmpPtr(d)
			r.WithinDrift = r.Significant && r.ChangePct != nil && math.Abs(*r.ChangePct) <= d
		}
	}
}

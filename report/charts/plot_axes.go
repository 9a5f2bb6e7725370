package charts

import (
	"math"
	"ringbench/internal/format"
	"strconv"

	"gonum.org/v1/plot"
	"ringbench/report/view"
)

// plPercentile is one latency percentile of the summary.
type plPercentile struct {
	key string
	p   float64 // fraction: 0.999 is p99.9
}

var plLatencyPercentiles = []plPercentile{
	{"latency_ns.p50", 0.5}, {"latency_ns.p90", 0.9}, {"latency_ns.p99", 0.99},
	{"latency_ns.p999", 0.999}, {"latency_ns.p9999", 0.9999},
}

// plNines places percentile p (a fraction below 1) on HdrHistogram's
// percentile axis: log10(1/(1−p)), so 90% is 1, 99% is 2, 99.9% is 3.
func plNines(p float64) float64 { return math.Log10(1 / (1 - p)) }

// plPctLabel writes the fraction p as a percentage: 0.999 → "99.9%".
func plPctLabel(p float64) string {
	return strconv.FormatFloat(math.Round(p*1e8)/1e6, 'f', -1, 64) + "%"
}

// plNinesTicks labels the nines axis at the given percentiles.
func plNinesTicks(ps []float64) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for _, p := range ps {
		ts = append(ts, plot.Tick{Value: plNines(p), Label: plPctLabel(p)})
	}
	return ts
}

// plLogTicks marks a log axis at every power of ten, labelled with format.SI,
// and, when the range holds fewer than three of them, at 2× and 5× too.
type plLogTicks struct{}

func (plLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	var ts []plot.Tick
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	majors := 0
	for e := e0; e <= e1; e++ {
		if v := math.Pow10(e); v >= lo && v <= hi {
			majors++
		}
	}
	for e := e0; e <= e1; e++ {
		for m := 1; m < 10; m++ {
			v := float64(m) * math.Pow10(e)
			t := plot.Tick{Value: v}
			if m == 1 || (majors < 3 && (m == 2 || m == 5)) {
				t.Label = format.SI(v)
			}
			if v >= lo && v <= hi {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// plLinTicks is gonum's default linear ticker, labelled with format.SI.
type plLinTicks struct{}

func (plLinTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = format.SI(ts[i].Value)
		}
	}
	return ts
}

// plRateTicks labels a rate axis at exactly the rates measured.
func plRateTicks(rs []uint64) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for _, r := range rs {
		ts = append(ts, plot.Tick{Value: float64(r), Label: view.RateLabel(r)})
	}
	return ts
}

// plSetLog makes axis a log axis over [lo, hi] with a margin of a factor m.
func plSetLog(a *plot.Axis, lo, hi, m float64) {
	if !(lo > 0) || !(hi >= lo) {
		lo, hi = 1, 10
	}
	if hi == lo {
		lo, hi = lo/2, hi*2
	}
	a.Scale, a.Tick.Marker = plot.LogScale{}, plLogTicks{}
	a.Min, a.Max = lo/m, hi*m
}

// plSetLinear makes axis a linear axis from 0 to a little above hi.
func plSetLinear(a *plot.Axis, hi, headroom float64) {
	if !(hi > 0) {
		hi = 1
	}
	a.Scale, a.Tick.Marker = plot.LinearScale{}, plLinTicks{}
	a.Min, a.Max = 0, hi*headroom
}

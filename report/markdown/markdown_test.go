package markdown

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/internal/format"
	"ringbench/report/charts"
	"ringbench/report/view"
	"ringbench/schema"
)

func matrixFixture(t *testing.T) *schema.Result {
	t.Helper()
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func claimsFixture(t *testing.T) []schema.Claim {
	t.Helper()
	cl, err := schema.ReadClaims(filepath.Join("..", "testdata", "claims.json"))
	if err != nil || len(cl) == 0 {
		t.Fatalf("claims fixture: %v (%d claims)", err, len(cl))
	}
	return cl
}

// fakeCharts stand in for RenderCharts, so the golden file does not
// depend on which charts the plotting code draws.
var fakeCharts = []charts.Chart{
	{Name: "latency-ringbuf", Title: "p99 latency vs rate [ringbuf]", Caption: "p99 by mode; spin *lowest* at 10k"},
	{Name: "cpu-ringbuf", Title: "CPU per event vs rate", Caption: "consumer CPU ns per event, mean ± sd"},
}

func TestMarkdownGolden(t *testing.T) {
	got := Markdown(matrixFixture(t), claimsFixture(t), fakeCharts, Options{})
	goldenCheck(t, "report.md", got)
	if again := Markdown(matrixFixture(t), claimsFixture(t), fakeCharts, Options{}); !bytes.Equal(got, again) {
		t.Error("two renderings of the same run differ")
	}
}

// section returns the text of the "## title" section of md.
func section(t *testing.T, md, title string) string {
	t.Helper()
	_, rest, ok := strings.Cut(md, "\n## "+title+"\n")
	if !ok {
		t.Fatalf("no section %q in:\n%s", title, md)
	}
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

func TestMarkdownSummaryNamesEveryBaseMode(t *testing.T) {
	r := matrixFixture(t)
	summary := section(t, string(Markdown(r, nil, nil, Options{})), "Which mode when")
	measured := view.Measured(r)
	modes := map[string]bool{}
	for _, t := range []string{"ringbuf", "perfbuf"} {
		_, sweep := view.BaseSweep(measured, t, view.PollingModes(r.Env))
		for _, s := range sweep {
			modes[view.LineLabel(s.Params)] = true
		}
	}
	if len(modes) < 3 {
		t.Fatalf("fixture's base sweep has modes %v, want reader, spin and epoll", modes)
	}
	for m := range modes {
		if !strings.Contains(summary, " "+m+": p99 ") {
			t.Errorf("summary does not give %s's figures:\n%s", m, summary)
		}
		if !strings.Contains(summary, "Saturation point") {
			t.Errorf("summary has no saturation point:\n%s", summary)
		}
	}
	for _, transport := range []string{"### ringbuf", "### perfbuf"} {
		if !strings.Contains(summary, transport) {
			t.Errorf("summary has no %s part", transport)
		}
	}
}

func TestMarkdownFlagsSkippedAndFailed(t *testing.T) {
	r := matrixFixture(t)
	var skipped, failed string
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			skipped = s.ID
		}
		for _, run := range s.Runs {
			if run.Incomplete() {
				failed = s.ID
			}
		}
	}
	if skipped == "" || failed == "" {
		t.Fatal("fixture lost its skipped scenario or its failed repetition")
	}
	flags := section(t, string(Markdown(r, nil, nil, Options{})), "Flags raised")
	for _, want := range []string{"### Skipped scenarios", "`" + skipped + "`", "### Failed repetitions",
		"`" + failed + "` rep 3 of 3: child exited with status 2", "load producer: operation not permitted",
		"offered-rate-missed"} {
		if !strings.Contains(flags, want) {
			t.Errorf("flags lack %q:\n%s", want, flags)
		}
	}
}

func TestMarkdownNoFlags(t *testing.T) {
	r := matrixFixture(t)
	r.Scenarios = r.Scenarios[1:2]
	r.Scenarios[0].Runs[0].Flags = nil
	r.Scenarios[0].Runs[1].Flags = nil
	md := string(Markdown(r, nil, nil, Options{}))
	if flags := section(t, md, "Flags raised"); strings.TrimSpace(flags) != "None." {
		t.Errorf("flags of a clean run: %q", flags)
	}
	if !strings.Contains(md, "Only reader · adaptive ran in this sweep") {
		t.Errorf("one mode compared with nothing:\n%s", md)
	}
}

func TestMarkdownEscapesPipesInClaims(t *testing.T) {
	cl := []schema.Claim{{ID: "C8", Claim: "a | b", Verdict: schema.Partly, Evidence: []string{"x | y", "second"}}}
	got := section(t, string(Markdown(matrixFixture(t), cl, nil, Options{})), "Claims")
	if !strings.Contains(got, `| C8 | partly | a \| b | x \| y |`) {
		t.Errorf("claims row not escaped:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "| C8") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 5 {
			t.Errorf("row has the wrong number of cells: %s", line)
		}
	}
}

func TestMarkdownSaysInterrupted(t *testing.T) {
	r := matrixFixture(t)
	r.Matrix.Interrupted = true
	r.Scenarios = r.Scenarios[:10]
	md := string(Markdown(r, nil, nil, Options{}))
	head, _, _ := strings.Cut(md, "\n## ")
	if !strings.Contains(head, "INTERRUPTED") || !strings.Contains(head, "10 of 26 planned") {
		t.Errorf("interrupted run not said up front:\n%s", head)
	}
	if !strings.Contains(section(t, md, "Flags raised"), "### Interrupted") {
		t.Error("interrupted run not under flags")
	}
}

func TestMarkdownSaysEmulatedForm(t *testing.T) {
	r := matrixFixture(t)
	r.Matrix.Emulated = "rate=10000, 300ms + 100ms warm-up"
	md := string(Markdown(r, nil, nil, Options{}))
	head, _, _ := strings.Cut(md, "\n## ")
	if !strings.Contains(head, "in its emulated form (`rate=10000, 300ms + 100ms warm-up`)") {
		t.Errorf("the emulated form is not said up front:\n%s", head)
	}
}

func TestMarkdownEmptyRun(t *testing.T) {
	r := &schema.Result{Schema: schema.Schema}
	md := string(Markdown(r, nil, nil, Options{}))
	for _, want := range []string{"nothing to compare", "| kernel | unknown |", "None."} {
		if !strings.Contains(md, want) {
			t.Errorf("empty run: no %q in:\n%s", want, md)
		}
	}
}

// Two offered rates that print alike (100k) are still two rates of the
// sweep: the summary keys rates exactly, not by their printed name.
func TestMarkdownCloseRatesStayApart(t *testing.T) {
	r := matrixFixture(t)
	for i, s := range r.Scenarios {
		if s.Params.Transport == "ringbuf" && s.Params.Rate == 10000 {
			r.Scenarios[i].Params.Rate = 100_400
		}
	}
	ringbuf, _, _ := strings.Cut(section(t, string(Markdown(r, nil, nil, Options{})), "Which mode when"), "### perfbuf")
	if n := strings.Count(ringbuf, "- **At 100k ev/s**"); n != 2 {
		t.Errorf("%d bullets at 100k ev/s, want 2 (100000 and 100400):\n%s", n, ringbuf)
	}
}

func TestBaseSweepPerTransport(t *testing.T) {
	measured := view.Measured(matrixFixture(t))
	if got := strings.Join(view.Transports(measured), " "); got != "ringbuf perfbuf" {
		t.Fatalf("transports %q", got)
	}
	polling := view.PollingModes(schema.Env{})
	for _, tc := range []struct{ transport, wakeup, sampled string }{{"ringbuf", "adaptive", "sampled:64"}, {"perfbuf", "wakeup_events=1", "wakeup_events=64"}} {
		variant, sweep := view.BaseSweep(measured, tc.transport, polling)
		if !strings.HasPrefix(variant, "hashmap=none ") {
			t.Errorf("%s: base variant %q", tc.transport, variant)
		}
		// 3 modes × 3 rates at the default policy (spin, which the
		// fixture ran with it too, for want of its natural one), and on
		// ringbuf epoll's sampled policy, natural, at 100k.
		want := map[string]int{"ringbuf": 10, "perfbuf": 9}[tc.transport]
		if len(sweep) != want {
			t.Errorf("%s: %d scenarios in the base sweep, want %d", tc.transport, len(sweep), want)
		}
		for _, s := range sweep {
			natural := s.Params.Wakeup == tc.wakeup || s.Params.Wakeup == tc.sampled
			if s.Params.Transport != tc.transport || view.SweepVariant(s.Params) != variant || !natural {
				t.Errorf("%s: %s in the base sweep", tc.transport, s.ID)
			}
		}
	}
	var p schema.Params
	for _, s := range measured {
		if s.Params.Delivery != "inline" {
			p = s.Params
			break
		}
	}
	base, _ := view.BaseSweep(measured, "ringbuf", polling)
	if got := view.VariantDiff(base, p); got != "wakeup=adaptive delivery=channel:64 work=200,128" {
		t.Errorf("variantDiff = %q", got)
	}
}

// An unpaced rate is named as the charts name it, and never "back to
// back", which is b2b's name.
func TestMarkdownUnpacedRate(t *testing.T) {
	r := matrixFixture(t)
	for i, s := range r.Scenarios {
		if s.Params.Rate == 400000 {
			r.Scenarios[i].Params.Rate = 0
		}
	}
	summary := section(t, string(Markdown(r, nil, nil, Options{})), "Which mode when")
	if !strings.Contains(summary, "- **At max rate**: reader · adaptive: p99 ") || strings.Contains(strings.ToLower(summary), "back to back") {
		t.Errorf("unpaced rate:\n%s", summary)
	}
}

// A repetition flagged for interference is listed under its flag with how
// much CPU others took and how long the consumer waited for its CPU.
func TestMarkdownListsInterference(t *testing.T) {
	r := matrixFixture(t)
	run := &r.Scenarios[1].Runs[0]
	foreign, share, delay := 250e6, 0.125, 40e6
	run.Interference = &schema.Interference{CPUs: []int{0, 1}, ForeignCPUNs: &foreign, ForeignShare: &share,
		ConsumerRunDelayNs: &delay, Flagged: true}
	run.Flags = append(run.Flags, schema.FlagInterference)
	flags := section(t, string(Markdown(r, nil, nil, Options{})), "Flags raised")
	for _, want := range []string{"### Flag `interference` (1 repetition)", "Processes other than ringbench's ran",
		"`" + r.Scenarios[1].ID + "`: rep 1 others ran 250 ms (12.5% of CPUs 0-1), consumer waited 40 ms for its CPU"} {
		if !strings.Contains(flags, want) {
			t.Errorf("flags lack %q:\n%s", want, flags)
		}
	}
}

// A scenario run with --breakdown gets a row in "Where the latency goes":
// its phases, the share split, its cost, and the latency of its plain twin
// from the same run; the stacked chart is drawn for it.
func TestMarkdownBreakdown(t *testing.T) {
	r := matrixFixture(t)
	plain := r.Scenarios[1]
	bd := plain
	bd.Params.Breakdown = true
	bd.ID = plain.ID + "/breakdown"
	bd.Summary = map[string]schema.Stat{}
	for k, v := range plain.Summary {
		bd.Summary[k] = v
	}
	set := func(k string, v float64) { bd.Summary[k] = schema.Stat{Mean: v, N: 2} }
	for i, ph := range view.BreakdownPhases {
		set(view.BreakdownKey(ph.Key, "p50_ns"), float64(1000*(i+1)))
		set(view.BreakdownKey(ph.Key, "p99_ns"), float64(10000*(i+1)))
		set(view.BreakdownKey(ph.Key, "mean_ns"), float64(1500*(i+1)))
	}
	set("breakdown.matched", 900)
	set("breakdown.reads", 1000)
	set("breakdown.cost_ns_per_event", 4000)
	r.Scenarios = append(r.Scenarios, bd)
	md := string(Markdown(r, nil, nil, Options{}))
	sec := section(t, md, "Where the latency goes")
	without := mdMeanCell(plain, "latency_ns.p50", format.Duration)
	for _, want := range []string{"`" + bd.ID + "` | 90% | 1 µs / 10 µs | 2 µs / 20 µs | 3 µs / 30 µs | 4 µs / 40 µs |",
		"| " + without + " | 4 µs |"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section lacks %q:\n%s", want, sec)
		}
	}
	charts, err := charts.RenderCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range charts {
		found = found || strings.HasPrefix(c.Name, "breakdown-")
	}
	if !found {
		t.Errorf("no breakdown chart among %d charts", len(charts))
	}
}

package compare

import (
	"encoding/json"

	"ringbench/schema"
)

// CompareSchema versions the JSON of ringbench compare --json.
const CompareSchema = "ringbench-compare/v1"

type compareJSON struct {
	Schema     string              `json:"schema"`
	Alpha      float64             `json:"alpha"`
	Confidence float64             `json:"confidence"`
	Metrics    []compareMetricJSON `json:"metrics"`
	Runs       []compareRunJSON    `json:"runs"`
	Warnings   []string            `json:"warnings"`
	Env        []CompareEnvRow     `json:"env_diff"`
	Pairs      []comparePairJSON   `json:"pairs"`
}

type compareMetricJSON struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Path   string `json:"path"`
	Higher bool   `json:"higher_is_better"`
}

type compareRunJSON struct {
	Label    string     `json:"label"`
	Path     string     `json:"path"`
	Name     string     `json:"name"`
	Emulated bool       `json:"emulated"`
	Env      schema.Env `json:"env"`
}

type comparePairJSON struct {
	ComparePair
	Counts CompareCounts `json:"counts"`
}

// JSON is c for machines: thresholds, metric definitions, runs with their
// environments, warnings, and every comparison (values, medians, intervals,
// change, p, verdict) of every run against A.
func (c *CompareResult) JSON() ([]byte, error) {
	out := compareJSON{Schema: CompareSchema, Alpha: CompareAlpha, Confidence: CompareConfidence,
		Warnings: c.Warnings, Env: c.Env}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	for _, m := range compareMetrics {
		out.Metrics = append(out.Metrics, compareMetricJSON{m.Key, m.Label, m.Path, m.Higher})
	}
	for _, r := range c.Runs {
		out.Runs = append(out.Runs, compareRunJSON{r.Label, r.Path, r.Name, r.Emulated, r.Result.Env})
	}
	for _, p := range c.Pairs {
		out.Pairs = append(out.Pairs, comparePairJSON{p, p.Counts()})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

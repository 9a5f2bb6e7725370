package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ringbench/report/compare"
	"ringbench/schema"
)

const compareUsage = `Usage: ringbench compare [flags] A B [C …]

Compares runs (run folders or run.json files) scenario by scenario: for each
key metric each run's median over its repetitions with the median's
confidence interval, the change, and the Mann-Whitney U p-value, as benchstat
computes them (significant when p ≤ 0.05).
With more than two runs, each is compared with A. Prints the environment
differences and the significant changes; writes compare.md and plots/ into
the --out folder.

Flags:
`

func cmdCompare(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("compare", compareUsage, stderr)
	out := fs.String("out", "", "folder for compare.md and plots/ (default results/compare-<A>-vs-<B>)")
	jsonPath := fs.String("json", "", "also write every comparison as JSON to `FILE`")
	all := fs.Bool("all", false, "print every comparison, not only the significant changes")
	// Flags may come after the runs: parse, take one run, parse the rest.
	var paths []string
	for rest := args; ; {
		if ok, err := parseFlags(fs, rest); !ok {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) < 2 {
		return usagef("compare needs at least two runs (ringbench compare A B [C …]), got %d", len(paths))
	}
	var runs []*compare.CompareRun
	for _, p := range paths {
		r, err := compare.LoadCompareRun(p)
		if err != nil {
			return usagef("%v", err)
		}
		runs = append(runs, r)
	}
	c, err := compare.Compare(runs)
	if err != nil {
		return usagef("%v", err)
	}
	dir := *out
	if dir == "" {
		dir = defaultCompareDir(runs)
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usagef("--out %s is a file, not a folder", dir)
	}
	if jd := filepath.Dir(*jsonPath); *jsonPath != "" && filepath.Clean(jd) != filepath.Clean(dir) {
		// Its folder must exist, unless it is the --out folder.
		if st, err := os.Stat(jd); err != nil || !st.IsDir() {
			return usagef("--json %s: no folder %s to write it in", *jsonPath, jd)
		}
	}

	c.WriteText(stdout, *all)
	md, charts, err := writeCompare(dir, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nreport: %s (%d charts)\n", md, charts)
	if *jsonPath != "" {
		b, err := c.JSON()
		if err != nil {
			return err
		}
		if err := schema.WriteFileAtomic(*jsonPath, b); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "json: %s\n", *jsonPath)
	}
	return nil
}

// writeCompare writes compare.md and its charts (plots/) into dir.
func writeCompare(dir string, c *compare.CompareResult) (md string, charts int, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	ch, err := c.RenderCharts(filepath.Join(dir, "plots"))
	if err != nil {
		return "", 0, fmt.Errorf("charts: %w", err)
	}
	md = filepath.Join(dir, "compare.md")
	return md, len(ch), schema.WriteFileAtomic(md, c.Markdown(ch))
}

// defaultCompareDir is results/compare-<A>-vs-<B>[-vs-<C>…], named after
// the run folders.
func defaultCompareDir(runs []*compare.CompareRun) string {
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	return filepath.Join("results", "compare-"+strings.Join(names, "-vs-"))
}

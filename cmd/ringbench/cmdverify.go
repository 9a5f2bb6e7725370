package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"ringbench/schema"
)

func cmdVerify(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("verify", "Usage: ringbench verify RUN_DIR|run.json …\n", stderr)
	if ok, err := parseFlags(fs, args); !ok {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("verify needs a run folder or run.json (e.g. ringbench verify results/…)")
	}
	problems := 0
	for _, path := range fs.Args() {
		path = schema.RunPath(path)
		res, err := schema.ReadResult(path)
		if err != nil {
			return usagef("%v", err)
		}
		found := schema.Verify(res)
		for _, p := range found {
			fmt.Fprintf(stdout, "%s: %s\n", path, p)
		}
		problems += len(found)
		if len(found) == 0 {
			fmt.Fprintf(stdout, "%s: %d scenarios verified\n", path, len(res.Scenarios))
		}
		// Flags are not problems: the repetitions are sound, but measured
		// something other than the plan (see report.md's "Flags raised").
		if counts := schema.FlagCounts(res); len(counts) > 0 {
			var parts []string
			for _, f := range slices.Sorted(maps.Keys(counts)) {
				parts = append(parts, fmt.Sprintf("%s ×%d", f, counts[f]))
			}
			fmt.Fprintf(stdout, "%s: flagged repetitions: %s\n", path, strings.Join(parts, ", "))
		}
	}
	if problems > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d problems found", problems)}
	}
	return nil
}

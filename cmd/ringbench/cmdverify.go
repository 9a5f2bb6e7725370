package main

import (
	"fmt"
	"io"

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
	}
	if problems > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("%d problems found", problems)}
	}
	return nil
}

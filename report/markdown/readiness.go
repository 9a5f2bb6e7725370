package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/mdtext"
	"ringbench/schema"
)

// mdReadiness closes the environment table with the perf-box checks taken
// when the run started: each warning with what was found and its fix, the
// unknowns on one line with their reasons, the passes by name. A reader
// weighs the figures against these; ringbench never applies the fixes.
func mdReadiness(b *bytes.Buffer, findings []schema.Finding) {
	if len(findings) == 0 {
		return // a run from before the checks existed
	}
	b.WriteString("\nPerf-box readiness (ringbench env; the fixes are for the operator, ringbench never applies them):\n\n")
	var unknown, passed []string
	for _, f := range findings {
		switch f.Status {
		case schema.ReadinessWarn:
			fmt.Fprintf(b, "- **warn** %s: %s", f.Check, mdtext.Inline(f.Found))
			if f.Fix != "" {
				fmt.Fprintf(b, "; fix: %s", mdtext.CodeSpan(f.Fix))
			}
			b.WriteString("\n")
		case schema.ReadinessUnknown:
			unknown = append(unknown, fmt.Sprintf("%s (%s)", f.Check, mdtext.Inline(f.Found)))
		default:
			passed = append(passed, f.Check)
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(b, "- unknown: %s\n", strings.Join(unknown, "; "))
	}
	if len(passed) > 0 {
		fmt.Fprintf(b, "- ok: %s\n", strings.Join(passed, ", "))
	}
}

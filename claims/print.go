package claims

import (
	"fmt"
	"io"
)

// Print writes one block per claim: id, verdict and the claim, then the
// evidence, indented.
func Print(w io.Writer, results []Result) {
	for _, r := range results {
		fmt.Fprintf(w, "%-4s %-12s %s\n", r.ID, r.Verdict, r.Claim)
		for _, e := range r.Evidence {
			fmt.Fprintf(w, "       %s\n", e)
		}
		if len(r.Scenarios) > 0 {
			fmt.Fprintf(w, "       scenarios: %v\n", r.Scenarios)
		}
	}
}

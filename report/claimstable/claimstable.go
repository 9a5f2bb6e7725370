// Package claimstable draws the claim × kernel table of ringbench vm: one
// column per kernel, one row per claim any kernel answered, as text and as
// Markdown.
package claimstable

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"ringbench/schema"
)

// Kernel is one column: a kernel, how it ran, and what its claims run said.
type Kernel struct {
	Name     string // its release, or how it was named
	How      string // "host", the accelerator (kvm, tcg), or "-"
	Host     bool   // the running kernel, the others' reference
	OK       bool   // its claims run ran to its end
	Emulated bool   // an emulated guest: its timing verdicts say nothing of hardware
	Claims   []schema.Claim
	// Notes say what went wrong, a line each; Shared is a note several
	// kernels may carry (one about the accelerator), said once at the end.
	Notes  []string
	Shared string
}

// claimsGrid is the cross-kernel table: one column per kernel, one row per
// claim any kernel answered.
type claimsGrid struct {
	heads   [][2]string // release, how it ran
	rows    []string    // claim IDs
	cells   [][]string  // [row][column]
	text    map[string]string
	notes   []string
	hostCol int
}

func buildGrid(runs []Kernel) claimsGrid {
	g := claimsGrid{text: map[string]string{}, hostCol: -1}
	verdicts := make([]map[string]schema.Verdict, len(runs))
	seen := map[string]bool{}
	for i, r := range runs {
		name, how := r.Name, r.How
		if r.Host && g.hostCol < 0 && r.OK {
			g.hostCol = i
		}
		g.heads = append(g.heads, [2]string{name, how})
		verdicts[i] = map[string]schema.Verdict{}
		for _, c := range r.Claims {
			verdicts[i][c.ID] = c.Verdict
			seen[c.ID] = true
			if g.text[c.ID] == "" {
				g.text[c.ID] = c.Claim
			}
		}
	}
	for _, id := range schema.ClaimIDs {
		if seen[id] {
			g.rows = append(g.rows, id)
		}
	}
	differs, emulated := false, false
	for _, id := range g.rows {
		row := make([]string, len(runs))
		for i, r := range runs {
			v, ok := verdicts[i][id]
			switch {
			case !ok && !r.OK:
				row[i] = "failed"
			case !ok:
				row[i] = "-"
			default:
				row[i] = string(v)
				// Decided from timings: an emulated guest's verdict says
				// nothing about hardware.
				if r.Emulated && slices.Contains(schema.PerfClaimIDs, id) {
					row[i] += " †"
					emulated = true
				} else if g.hostCol >= 0 && i != g.hostCol {
					if hv, ok := verdicts[g.hostCol][id]; ok && hv != v {
						row[i] += " *"
						differs = true
					}
				}
			}
		}
		g.cells = append(g.cells, row)
	}
	if differs {
		g.notes = append(g.notes, fmt.Sprintf("* differs from the host kernel (%s)", g.heads[g.hostCol][0]))
	}
	if emulated || slices.ContainsFunc(runs, func(r Kernel) bool { return r.Emulated }) {
		g.notes = append(g.notes, "† tcg: an emulated guest (QEMU TCG). Its timings, and the verdicts made from them (C6–C9, C11), compare only with other emulated guests, never with hardware or the host")
	}
	var shared []string
	for _, r := range runs {
		g.notes = append(g.notes, r.Notes...)
		if r.Shared != "" && !slices.Contains(shared, r.Shared) {
			shared = append(shared, r.Shared)
		}
	}
	g.notes = append(g.notes, shared...)
	return g
}

// WriteText writes the claim × kernel table of verdicts, then its notes and
// the claims' wording.
func WriteText(w io.Writer, runs []Kernel) {
	g := buildGrid(runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var h1, h2 strings.Builder
	h1.WriteString("claim")
	h2.WriteString("")
	for _, h := range g.heads {
		h1.WriteString("\t" + h[0])
		h2.WriteString("\t(" + h[1] + ")")
	}
	fmt.Fprintln(tw, h1.String())
	fmt.Fprintln(tw, h2.String())
	for i, id := range g.rows {
		fmt.Fprintln(tw, id+"\t"+strings.Join(g.cells[i], "\t"))
	}
	tw.Flush()
	if len(g.rows) == 0 {
		fmt.Fprintln(w, "(no kernel answered any claim)")
	}
	if len(g.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range g.notes {
			fmt.Fprintln(w, n)
		}
	}
	if len(g.rows) > 0 {
		fmt.Fprintln(w)
		for _, id := range g.rows {
			fmt.Fprintf(w, "%-4s %s\n", id, g.text[id])
		}
	}
}

// WriteMarkdown writes the same table as Markdown.
func WriteMarkdown(w io.Writer, runs []Kernel) {
	g := buildGrid(runs)
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	fmt.Fprint(w, "| claim |")
	for _, h := range g.heads {
		fmt.Fprintf(w, " %s (%s) |", esc(h[0]), h[1])
	}
	fmt.Fprint(w, "\n|---|")
	for range g.heads {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for i, id := range g.rows {
		fmt.Fprintf(w, "| %s |", id)
		for _, c := range g.cells[i] {
			fmt.Fprintf(w, " %s |", esc(c))
		}
		fmt.Fprintln(w)
	}
	if len(g.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range g.notes {
			fmt.Fprintf(w, "- %s\n", esc(n))
		}
	}
	if len(g.rows) > 0 {
		fmt.Fprintln(w)
		for _, id := range g.rows {
			fmt.Fprintf(w, "- **%s** %s\n", id, esc(g.text[id]))
		}
	}
}

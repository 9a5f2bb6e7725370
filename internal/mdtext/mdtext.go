// Package mdtext makes text safe to put into Markdown: one line, inline
// code, table cells, alt text. report.md and compare.md both write with it.
package mdtext

import "strings"

// Inline makes s one line of Markdown text.
func Inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("*", `\*`, "<", "&lt;").Replace(s)
}

// Cell makes s safe inside a table cell: one line, pipes escaped.
func Cell(s string) string {
	return strings.ReplaceAll(Inline(s), "|", `\|`)
}

// AltText makes s safe as an image's alt text.
func AltText(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`).Replace(Inline(s))
}

// Code quotes s as inline code, safe in a table cell.
func Code(s string) string {
	s = strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
	return fence(s)
}

// CodeSpan quotes a shell command as inline code outside a table, where a
// pipe must stay a pipe.
func CodeSpan(s string) string {
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence(" " + s + " ")
	}
	return fence(s)
}

// fence wraps s in the shortest run of backquotes it does not contain.
func fence(s string) string {
	f := "`"
	for strings.Contains(s, f) {
		f += "`"
	}
	return f + s + f
}

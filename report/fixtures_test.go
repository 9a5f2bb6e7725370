package report

import (
	"path/filepath"
	"strings"
	"testing"

	"ringbench/schema"
)

func matrixFixture(t *testing.T) *schema.Result {
	t.Helper()
	r, err := schema.ReadResult(filepath.Join("testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
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

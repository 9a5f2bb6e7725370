package markdown

import (
	"flag"
	"path/filepath"
	"testing"

	"ringbench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func goldenCheck(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("..", "testdata", name+".golden"), got, *update)
}

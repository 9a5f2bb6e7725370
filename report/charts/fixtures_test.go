package charts

import (
	"path/filepath"
	"testing"

	"ringbench/schema"
)

func matrixFixture(t *testing.T) *schema.Result {
	t.Helper()
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

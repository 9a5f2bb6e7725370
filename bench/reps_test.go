package bench

import (
	"context"
	"slices"
	"testing"

	"ringbench/schema"
)

// Interleaved runs a round at a time (A, B, A, B…) and gives each
// scenario its own repetitions, in order.
func TestInterleavedOrder(t *testing.T) {
	var order []string
	defer func(f func(context.Context, Params, []string) (Outcome, error)) { runIsolated = f }(runIsolated)
	runIsolated = func(_ context.Context, p Params, _ []string) (Outcome, error) {
		order = append(order, p.Mode)
		return Outcome{Run: Run{Error: p.Mode}}, nil
	}
	a, b := schema.Defaults(), schema.Defaults()
	a.Mode, b.Mode = "A", "B"
	var heard []string
	scs, err := Interleaved(context.Background(), []Params{a, b}, 3,
		func(i, rep int) { heard = append(heard, []string{"A", "B"}[i]) },
		func(i, rep int, o Outcome) {})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A", "B", "A", "B", "A", "B"}; !slices.Equal(order, want) || !slices.Equal(heard, want) {
		t.Errorf("ran %v, heard %v, want %v", order, heard, want)
	}
	for i, sc := range scs {
		if len(sc.Runs) != 3 || sc.Runs[0].Error != []string{"A", "B"}[i] {
			t.Errorf("scenario %d: %+v", i, sc.Runs)
		}
	}
}

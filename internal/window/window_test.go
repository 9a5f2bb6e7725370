package window

import "testing"

func TestWindow(t *testing.T) {
	w := New()
	if w.Contains(0) || w.Contains(1<<62) || w.Seconds() != 0 {
		t.Fatal("a window that was never opened contains time")
	}
	w.Open(100)
	if w.Contains(99) || !w.Contains(100) || !w.Contains(1<<62) {
		t.Fatal("open window: wrong membership")
	}
	w.Close(2_000_000_100)
	if !w.Contains(2_000_000_099) || w.Contains(2_000_000_100) {
		t.Fatal("closed window: end must be exclusive")
	}
	if got := w.Seconds(); got != 2 {
		t.Fatalf("Seconds = %v, want 2", got)
	}
}

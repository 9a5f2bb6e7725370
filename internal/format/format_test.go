package format

import (
	"errors"
	"math"
	"testing"
)

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Sig3(3.0512), "3.05"}, {Sig3(78.84), "78.8"}, {Sig3(226.4), "226"}, {Sig3(0.012345), "0.0123"},
		{Sig3(3), "3"}, {Sig3(0), "0"}, {Sig3(-31), "-31"}, {Sig3(math.Inf(1)), "+Inf"},
		{SI(400000), "400k"}, {SI(1250), "1.25k"}, {SI(2.5e6), "2.5M"}, {SI(0.0123), "0.0123"},
		{Duration(850), "850 ns"}, {Duration(3050), "3.05 µs"}, {Duration(4.41e6), "4.41 ms"}, {Duration(1.2e9), "1.2 s"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine(errors.Join(errors.New("load a"), errors.New("load b"))); got != "load a; load b" {
		t.Errorf("OneLine = %q", got)
	}
}

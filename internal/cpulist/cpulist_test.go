package cpulist

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "0-3": {0, 1, 2, 3}, "0-1,4,6-7": {0, 1, 4, 6, 7}} {
		got, err := Parse(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "1,,2"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, want := range []string{"0", "0-3", "0-1,4,6-7", "1,3,5"} {
		cpus, _ := Parse(want)
		if got := Format(cpus); got != want {
			t.Errorf("Format(%v) = %q, want %q", cpus, got, want)
		}
	}
	if got := Format(nil); got != "" {
		t.Errorf("Format(nil) = %q", got)
	}
}

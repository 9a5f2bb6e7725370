package modes

import (
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	for in, want := range map[string]Delivery{"inline": {}, "channel": {true, 1}, "channel:64": {true, 64}} {
		if got, err := ParseDelivery(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseDelivery(%q) = %+v %v", in, got, err)
		}
	}
	for in, want := range map[string]Work{"0": {}, "500": {CPUNs: 500}, "500,256": {500, 256}} {
		if got, err := ParseWork(in); err != nil || got != want {
			t.Errorf("ParseWork(%q) = %+v %v", in, got, err)
		}
	}
	for in, want := range map[string]Backoff{"none": {Kind: "none"}, "pause": {Kind: "pause"}, "sleep:50us": {"sleep", 50 * time.Microsecond, "sleep:50us"}} {
		if got, err := ParseBackoff(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseBackoff(%q) = %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"channel:0", "channel:x", "queue"} {
		if _, err := ParseDelivery(bad); err == nil {
			t.Errorf("delivery %q accepted", bad)
		}
	}
	for _, bad := range []string{"-1", "x", "5,-1", "5,"} {
		if _, err := ParseWork(bad); err == nil {
			t.Errorf("work %q accepted", bad)
		}
	}
	for _, bad := range []string{"sleep", "sleep:0s", "sleep:2s", "yield"} {
		if _, err := ParseBackoff(bad); err == nil {
			t.Errorf("backoff %q accepted", bad)
		}
	}
}

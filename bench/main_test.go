package bench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"ringbench/loadgen"
)

// The test binary doubles as the load generator process RunScenario starts
// (it re-executes itself with loadgen.Command) and as a scenario child
// (ChildCommand).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case loadgen.Command:
			err = loadgen.Main(context.Background(), os.Stdin, os.Stdout)
		case ChildCommand:
			err = ServeChild(context.Background(), os.Stdin, os.Stdout)
		default:
			os.Exit(m.Run())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

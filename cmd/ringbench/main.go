// Command ringbench measures how a Go program should read events from BPF
// ring buffers and perf event arrays. See README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"ringbench/bench"
	"ringbench/internal/format"
	"ringbench/loadgen"
)

// usageError is bad input: one line, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newFlags is a subcommand's flag set: -h prints usage, then the flags, to
// stderr.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return fs
}

// parseFlags parses a subcommand's flags. When ok is false the subcommand
// returns err at once: nil after -h (the usage is printed, exit 0), or a
// usage error naming the bad flag.
func parseFlags(fs *flag.FlagSet, args []string) (ok bool, err error) {
	switch err := fs.Parse(args); {
	case err == nil:
		return true, nil
	case errors.Is(err, flag.ErrHelp):
		return false, nil
	default:
		return false, usagef("%v (see ringbench %s -h)", err, fs.Name())
	}
}

// parseFlagsOnly is parseFlags for a subcommand that takes no arguments
// besides its flags.
func parseFlagsOnly(fs *flag.FlagSet, args []string) (ok bool, err error) {
	if ok, err := parseFlags(fs, args); !ok {
		return false, err
	}
	if fs.NArg() > 0 {
		return false, usagef("unexpected argument %q (see ringbench %s -h)", fs.Arg(0), fs.Name())
	}
	return true, nil
}

// exitError carries an exit code chosen by a subcommand (a signal's 128+n,
// or 1 after the failure was already reported).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

const topUsage = `ringbench measures the read modes of BPF ring buffers and perf event arrays.

Usage:
  ringbench run [flags]    run scenarios and write DIR/run.json
  ringbench matrix [flags] run a preset or file of scenarios (quick, standard, full)
  ringbench env            what this machine can do, one line per capability
  ringbench verify DIR     re-check a run's accounting and checks from its run.json
  ringbench claims         put the claims of CLAIMS.md to the test on this kernel
  ringbench report DIR     write DIR/report.md (and DIR/plots) from a run's run.json
  ringbench compare A B…   what changed between runs, significant changes only (Mann-Whitney U)
  ringbench vm --kernel K… -- SUBCOMMAND   run a subcommand on other kernels under qemu

Run 'ringbench run -h' for the flags of run.
`

func main() {
	guestMain() // returns at once unless this is PID 1 inside a ringbench vm guest
	os.Exit(exitCode(run(os.Stdout, os.Stderr, os.Args[1:]), os.Stderr))
}

// subcommands are what a user may type after ringbench, in help's order.
var subcommands = []struct {
	name string
	run  func(stdout, stderr io.Writer, args []string) error
}{
	{"run", cmdRun}, {"matrix", cmdMatrix}, {"env", cmdEnv}, {"verify", cmdVerify},
	{"claims", cmdClaims}, {"report", cmdReport}, {"compare", cmdCompare}, {"vm", cmdVM},
}

func subcommandNames() string {
	names := make([]string, len(subcommands))
	for i, c := range subcommands {
		names[i] = c.name
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func run(stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return usagef("no subcommand given (want %s)", subcommandNames())
	}
	for _, c := range subcommands {
		if c.name == args[0] {
			return c.run(stdout, stderr, args[1:])
		}
	}
	switch args[0] {
	// The processes ringbench starts of itself, not for users.
	case bench.ChildCommand:
		return cmdChild(stdout, os.Stdin)
	case loadgen.Command:
		return cmdLoadgen(stdout, os.Stdin)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, topUsage)
		return nil
	}
	return usagef("unknown subcommand %q (want %s; see ringbench help)", args[0], subcommandNames())
}

// exitCode prints err as one line and maps it to the process exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	var ee exitError
	msg := format.OneLine(err)
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "ringbench:", msg)
		return 2
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(stderr, "ringbench:", msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "ringbench:", msg)
	return 1
}

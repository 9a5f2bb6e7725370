package vm

import (
	"fmt"
	"strings"

	"ringbench/report/claimstable"
)

// column is r as a column of the claims table: its name, how it ran, and
// the notes on what went wrong.
func (r KernelRun) column() claimstable.Kernel {
	k := claimstable.Kernel{Name: r.Release, How: r.Accel, Host: r.Kind == KindHost, OK: r.OK,
		Emulated: r.Emulated, Claims: r.Claims, Shared: r.AccelNote}
	if k.Name == "" {
		k.Name = r.Spec
	}
	switch {
	case k.Host:
		k.How = "host"
	case k.How == "":
		k.How = "-"
	}
	switch {
	case r.Error != "" && !r.OK && len(r.ConsoleTail) > 0:
		k.Notes = append(k.Notes, fmt.Sprintf("%s: failed: %s (console: %s/console.log)", r.Spec, r.Error, r.Dir))
	case r.Error != "" && !r.OK:
		k.Notes = append(k.Notes, fmt.Sprintf("%s: failed: %s", r.Spec, r.Error))
	case r.Error != "":
		k.Notes = append(k.Notes, fmt.Sprintf("%s: %s", r.Spec, r.Error))
	}
	if r.Status != nil && len(r.Status.Problems) > 0 {
		k.Notes = append(k.Notes, fmt.Sprintf("%s: in the guest: %s", r.Spec, strings.Join(r.Status.Problems, "; ")))
	}
	if r.Retried != "" {
		k.Notes = append(k.Notes, fmt.Sprintf("%s: booted twice; the first boot failed: %s (console: %s/console-attempt1.log)", r.Spec, r.Retried, r.Dir))
	}
	return k
}

func columns(runs []KernelRun) []claimstable.Kernel {
	out := make([]claimstable.Kernel, len(runs))
	for i, r := range runs {
		out[i] = r.column()
	}
	return out
}

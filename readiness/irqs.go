package readiness

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"ringbench/schema"
)

// irqs: a device interrupt on a used CPU preempts whatever the harness runs
// there, and irqbalance moves interrupts back onto any CPU they were taken
// off.
func irqs(m *machine) schema.Finding {
	balancer, berr := m.running("irqbalance")
	fired, cols, ierr := m.deviceIRQs()
	var parts, fixes []string
	switch {
	case berr != nil:
		parts = append(parts, "irqbalance: "+berr.Error())
	case len(balancer) > 0:
		parts = append(parts, "irqbalance running (pid "+strings.Join(balancer, ", ")+")")
		fixes = append(fixes, "systemctl stop irqbalance")
	default:
		parts = append(parts, "irqbalance not running")
	}
	switch {
	case ierr != nil:
		parts = append(parts, ierr.Error())
	case len(fired) == 0:
		parts = append(parts, "no device IRQ fired on "+cpuList(m.cpus))
	default:
		var top []string
		for _, q := range fired[:min(3, len(fired))] {
			top = append(top, fmt.Sprintf("%s %s (%d)", q.irq, q.device, q.count))
		}
		parts = append(parts, fmt.Sprintf("%d device IRQs fired on %s since boot, most: %s",
			len(fired), cpuList(m.cpus), strings.Join(top, ", ")))
		online := m.online()
		if online == nil {
			online = cols
		}
		if spare := without(online, m.cpus); len(spare) > 0 {
			var nums []string
			for _, q := range fired {
				nums = append(nums, q.irq)
			}
			fixes = append(fixes, fmt.Sprintf("for i in %s; do echo %s > /proc/irq/$i/smp_affinity; done",
				strings.Join(nums, " "), affinityMask(spare)))
		} else {
			parts = append(parts, "every online CPU is used, so there is no CPU to move them to")
		}
	}
	found := strings.Join(parts, "; ")
	switch {
	case len(balancer) > 0 || len(fired) > 0:
		return warn(found, strings.Join(fixes, "; "))
	case berr != nil || ierr != nil:
		return unknown(found)
	}
	return ok(found)
}

// running lists the pids of processes named comm.
func (m *machine) running(comm string) ([]string, error) {
	entries, err := fs.ReadDir(m.root, "proc")
	if err != nil {
		return nil, errors.New(why("proc", err))
	}
	var pids []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		// A process may exit or hide its comm between listing and reading;
		// it is then not one that could be irqbalance now.
		if c, err := m.read("proc/" + e.Name() + "/comm"); err == nil && c == comm {
			pids = append(pids, e.Name())
		}
	}
	return pids, nil
}

type irqCount struct {
	irq, device string
	count       uint64 // on the used CPUs, since boot
}

// deviceIRQs reads proc/interrupts: the device IRQs (numbered lines; the
// named ones — LOC, RES, CAL, TLB… — are the kernel's own and cannot be
// moved) that fired on a used CPU, most first, and the CPU of each column.
func (m *machine) deviceIRQs() ([]irqCount, []int, error) {
	const path = "proc/interrupts"
	s, err := m.read(path)
	if err != nil {
		return nil, nil, errors.New(why(path, err))
	}
	lines := strings.Split(s, "\n")
	var cols []int // only online CPUs get a column
	for _, h := range strings.Fields(lines[0]) {
		n, err := strconv.Atoi(strings.TrimPrefix(h, "CPU"))
		if err != nil {
			return nil, nil, fmt.Errorf("/%s: header %q is not a CPU list", path, lines[0])
		}
		cols = append(cols, n)
	}
	var fired []irqCount
	for _, line := range lines[1:] {
		irq, rest, _ := strings.Cut(line, ":")
		irq = strings.TrimSpace(irq)
		if _, err := strconv.Atoi(irq); err != nil {
			continue
		}
		fields := strings.Fields(rest)
		q := irqCount{irq: irq}
		for i, c := range cols {
			if i >= len(fields) {
				break
			}
			n, err := strconv.ParseUint(fields[i], 10, 64)
			if err != nil {
				break
			}
			if slices.Contains(m.cpus, c) {
				q.count += n
			}
		}
		if q.count == 0 {
			continue
		}
		if len(fields) > len(cols) {
			q.device = fields[len(fields)-1]
		}
		fired = append(fired, q)
	}
	slices.SortStableFunc(fired, func(a, b irqCount) int { return cmp.Compare(b.count, a.count) })
	return fired, cols, nil
}

// affinityMask writes CPUs as /proc/irq/N/smp_affinity wants them: hex,
// in comma-separated 32-bit words, highest first.
func affinityMask(cpus []int) string {
	words := make([]uint32, slices.Max(cpus)/32+1)
	for _, c := range cpus {
		words[c/32] |= 1 << (c % 32)
	}
	var parts []string
	for i := len(words) - 1; i >= 0; i-- {
		if i == len(words)-1 {
			parts = append(parts, strconv.FormatUint(uint64(words[i]), 16))
		} else {
			parts = append(parts, fmt.Sprintf("%08x", words[i]))
		}
	}
	return strings.Join(parts, ",")
}

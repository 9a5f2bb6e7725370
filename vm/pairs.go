package vm

// ComparablePairs lists the pairs of kernels whose timings compare with
// each other, as indexes into kernels, in the order given: the emulated
// (TCG) guests with each other, and the KVM guests with each other. The
// host kernel pairs with none: a guest's timings carry the emulator's or
// the hypervisor's costs, which the host's do not, so a guest against the
// host would show those, not the kernel. A kernel that did not finish its
// run pairs with none.
func ComparablePairs(kernels []KernelRun) [][2]int {
	var pairs [][2]int
	for i, a := range kernels {
		for j := i + 1; j < len(kernels); j++ {
			if b := kernels[j]; timingsCompare(a, b) {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	}
	return pairs
}

// timingsCompare says whether a's and b's timings compare: both guests that
// ran to their end, under the same accelerator (tcg, which is emulation,
// or kvm).
func timingsCompare(a, b KernelRun) bool {
	ran := func(k KernelRun) bool { return k.OK && k.Dir != "" && k.Kind != KindHost }
	return ran(a) && ran(b) && a.Accel == b.Accel
}

package cpu

import "strings"

// Vendor signatures of CPUID leaf 0x40000000.
var hypervisors = map[string]string{
	"KVMKVMKVM\x00\x00\x00": "KVM",
	"Microsoft Hv":          "Hyper-V",
	"VMwareVMware":          "VMware",
	"XenVMMXenVMM":          "Xen",
	"TCGTCGTCGTCG":          "QEMU TCG",
	"ACRNACRNACRN":          "ACRN",
	"bhyve bhyve ":          "bhyve",
	" lrpepyh  vr":          "Parallels",
	"VBoxVBoxVBox":          "VirtualBox",
}

// Hypervisor names the hypervisor this CPU reports, "none" when it reports
// none, and "" when this architecture cannot tell (the caller falls back to
// other sources).
func Hypervisor() string {
	sig, ok := hypervisorSignature()
	if !ok {
		if hasSignatureReader {
			return "none"
		}
		return ""
	}
	if name, known := hypervisors[sig]; known {
		return name
	}
	if s := strings.TrimRight(sig, "\x00 "); s != "" {
		return "unknown (" + s + ")"
	}
	return "unknown"
}

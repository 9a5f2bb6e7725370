package cpu

import "encoding/binary"

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// hypervisorSignature reads the hypervisor's vendor signature: CPUID leaf 1
// ECX bit 31 says one is present, leaf 0x40000000 names it in EBX ECX EDX.
func hypervisorSignature() (string, bool) {
	if _, _, ecx, _ := cpuid(1, 0); ecx&(1<<31) == 0 {
		return "", false
	}
	_, b, c, d := cpuid(0x4000_0000, 0)
	var sig [12]byte
	binary.LittleEndian.PutUint32(sig[0:], b)
	binary.LittleEndian.PutUint32(sig[4:], c)
	binary.LittleEndian.PutUint32(sig[8:], d)
	return string(sig[:]), true
}

const hasSignatureReader = true

//go:build !amd64

package cpu

func hypervisorSignature() (string, bool) { return "", false }

const hasSignatureReader = false

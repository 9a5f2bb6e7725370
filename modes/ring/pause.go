package ring

// Pause executes the CPU's spin-wait hint (PAUSE on x86, YIELD on arm64):
// it tells a hyperthreaded core or a hypervisor that this thread is only
// polling, and costs tens of cycles instead of a syscall.
func Pause() { pause() }

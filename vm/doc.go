// Package vm runs ringbench on other kernels: ringbench vm boots each
// kernel under qemu-system-x86_64 with a small initramfs in which ringbench
// itself is PID 1 (Guest), runs a subcommand there and brings its results
// back over a 9p share, with a base64 copy on the serial console as a
// fallback.
//
// Kernels are named by Spec: the host's, a Debian linux-image package
// (fetched with apt-get download and unpacked with dpkg-deb -x into a
// cache), or a bzImage with its modules folder. The 9p modules a kernel
// needs are resolved from modinfo on the host and decompressed there; the
// initramfs is written in Go (newc cpio). Boots are bounded: qemu pauses
// rather than exits on an internal error, and a guest can hang, so every
// boot has a timeout and a heartbeat watchdog, and a failed boot is made
// once more. --accel auto tries KVM and falls back to TCG, whose guests
// are marked emulated: their timings compare only with each other.
package vm

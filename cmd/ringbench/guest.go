package main

import "ringbench/vm"

// guestMain makes ringbench the init of a VM booted by ringbench vm: when
// this process is PID 1 and the initramfs holds /ringbench/guest.json, it
// mounts what the guest needs, runs the subcommand given there through run,
// leaves the results on the 9p share (and the console) and powers the VM
// off, never returning. Anywhere else, PID 1 of a container included, it
// returns at once.
func guestMain() {
	if vm.IsGuest() {
		vm.Guest(run, exitCode)
	}
}

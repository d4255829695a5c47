package client

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"luapf/preforklib/reexec"
)

// A warm call's client is sequential, but its threads hand work to one
// another: catching a signal costs a round trip to the Go runtime's signal
// thread (forward.go), nine of them per call, and waking a thread that
// waits on another CPU costs an inter-processor interrupt, which on a
// virtual machine is an exit to the hypervisor. Measured on a 2-core VM,
// the early signals took 2 ms to catch, the request waiting for them. So a
// client that calls a server runs all its threads on the CPU it started
// on: the hand-offs then cost a context switch, and the server and the
// executor have the other CPUs. The caller's CPU mask is put back before
// this process starts a server, which would inherit the pinned mask, or
// runs the script itself (the standalone fallback), whose children would.

// cpuPin is a process's threads pinned to one CPU, and the mask they had.
// The nil *cpuPin pins nothing.
type cpuPin struct {
	orig unix.CPUSet
}

// pinToCPU pins every thread of this process to the CPU this thread runs
// on, and returns how to undo it; nil when it is pointless (one CPU
// allowed) or cannot be done.
func pinToCPU() *cpuPin {
	var p cpuPin
	if err := unix.SchedGetaffinity(0, &p.orig); err != nil || p.orig.Count() < 2 {
		return nil
	}
	var cpu uint32
	if _, _, errno := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), 0, 0); errno != 0 {
		return nil
	}
	var one unix.CPUSet
	one.Set(int(cpu))
	if !setAllThreads(&one) {
		p.undo()
		return nil
	}
	return &p
}

// undo gives every thread of this process the mask it had before pinToCPU.
func (p *cpuPin) undo() {
	if p != nil {
		setAllThreads(&p.orig)
	}
}

// setAllThreads sets the CPU mask of every thread of this process; Linux
// keeps one per thread, and a new thread inherits its creator's. A thread
// the Go runtime starts meanwhile may keep the mask it inherited, which
// costs only speed. It reports whether every thread listed took it.
func setAllThreads(set *unix.CPUSet) bool {
	ok := true
	err := reexec.EachThread(func(tid int) error {
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			ok = false
		}
		return nil
	})
	return ok && err == nil
}

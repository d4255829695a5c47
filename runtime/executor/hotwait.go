package executor

import (
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// How a pooled executor lent the server's socket waits for its call
// (acceptCall): "hot" at first, keeping the Go runtime's one P, then
// "cold", giving it up.
//
// A blocking system call made the Go way (unix.Poll) gives up the
// executor's only P (it starts with GOMAXPROCS=1, reexec/procs.go). Once
// every P is idle, the runtime's monitor thread, sysmon, sleeps until a
// system call wakes it; woken so, it checks every 20 µs, and takes the P
// from any system call that spans a check and hands it to another thread.
// So a call that woke a cold executor had sysmon busy beside it, and its
// system calls (the greeting, reading the request, telling the server,
// the script's own output) had the P taken and handed to a spinning
// thread over and over, the call's goroutine sometimes moving to another
// thread with it: measured on a 2-core VM with luapf-bench trace, from the
// client's connect to its status, 1.4 ms cold against 1.0 ms hot, and
// 0.6 ms less for the whole call.
//
// A hot wait is a ppoll(2) made as a raw system call: the runtime takes the
// P as busy, sysmon keeps to its slowest pace (a check every 10 ms) and is
// never woken by the call. It costs the waiting executor a wake-up every
// hotSlice, to let the runtime run whatever else it has (and so that
// sysmon need not preempt it with a signal), and sysmon a wake-up every
// 10 ms: about 200 wake-ups a second and 0.3% of a CPU. So it lasts
// hotWait, long enough for calls that come in bursts (a shell loop, a
// hook run for many files, CGI under load), then the executor waits cold,
// as cheaply as before, and a call that comes later pays the difference.
const (
	// hotWait is how long a pooled executor waits hot for a call after
	// it was lent the server's socket.
	hotWait = time.Second
	// hotSlice bounds each hot ppoll, so that the waiting goroutine
	// yields before sysmon would preempt it (after 10 ms running).
	hotSlice = 8 * time.Millisecond
)

// waitReadable waits until one of fds is readable (or has an error or has
// hung up), hot for the first hot of the wait and then cold.
func waitReadable(fds []unix.PollFd, hot time.Duration) error {
	for deadline := time.Now().Add(hot); ; {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		ts := unix.NsecToTimespec(int64(min(left, hotSlice)))
		// Raw: the runtime is not told of the call, so the P stays this
		// goroutine's (see above). ppoll does not block on anything but
		// its timeout, and a signal for this thread interrupts it (EINTR).
		n, _, errno := unix.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		switch {
		case errno == 0 && n > 0:
			return nil
		case errno != 0 && errno != unix.EINTR:
			return errno
		}
		runtime.Gosched() // timed out or interrupted: let the runtime in
	}
	for {
		if _, err := unix.Poll(fds, -1); err != unix.EINTR {
			return err
		}
	}
}

// Package sigcatch catches signals without the Go runtime's signal
// machinery, for a short-lived process that must catch some signals
// before it does anything else: a luapf client forwarding its caller's
// signals to the script.
//
// os/signal.Notify is dear for such a process: each signal it enables is
// a round trip to a goroutine locked to a thread of its own (the
// runtime's sigM), and enabling the first starts three threads (that one,
// the template thread LockOSThread needs, and one that os/signal's reader
// keeps blocked). On a virtual machine, where creating a thread and
// waking another are dear, that was about half a millisecond of a 13 ms
// warm call (traced, interleaved), and the client's threads had to share
// one CPU to keep the round trips short.
//
// Catch instead sets the kernel's action for each signal to a handler of
// a few instructions (handler_raw_amd64.s) that writes the signal's
// number as one byte to a pipe (the self-pipe trick). The caller polls
// the pipe (Catcher.Fd) with whatever else it waits for and takes the
// signals (Catcher.Take): no goroutine, no thread, and not the runtime's
// poller, whose start (an epoll instance, an eventfd) and wake-ups a
// client's call otherwise need for nothing else. Catching costs one
// rt_sigaction per signal.
// Release puts back the actions Catch replaced, the Go runtime's own.
//
// One Catcher is active in a process at a time: the handler writes to one
// pipe, made by the first Catch and kept for the life of the process (a
// handler may still be writing to it as Release returns). Where the
// handler is not written, other architectures than amd64, Catch uses
// os/signal, with the same behaviour at its cost: a goroutine passes what
// os/signal delivers on to the pipe.
package sigcatch

//go:build !(linux && amd64) || sigcatch_osignal

package sigcatch

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// catcherImpl is what the os/signal Catcher adds: the channel os/signal
// delivers to and the goroutine that passes each signal on to the pipe
// (catcher.go) that Fd polls.
type catcherImpl struct {
	c          chan os.Signal
	quit, done chan struct{}
}

func (c *Catcher) catch(sigs []syscall.Signal) error {
	if _, _, err := openPipe(); err != nil {
		return err
	}
	c.caught = sigs
	notify := make([]os.Signal, len(sigs))
	for i, sig := range sigs {
		notify[i] = sig
	}
	c.impl = catcherImpl{c: make(chan os.Signal, takeSize), quit: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(c.impl.c, notify...)
	go func() {
		defer close(c.impl.done)
		for {
			select {
			case sig := <-c.impl.c:
				put(sig)
			case <-c.impl.quit:
				return
			}
		}
	}()
	return nil
}

// put writes sig to the pipe; a full pipe drops it.
func put(sig os.Signal) {
	_, _ = unix.Write(pipeW, []byte{byte(sig.(syscall.Signal))})
}

// stopCatching stops os/signal's delivery and the goroutine, and puts
// what os/signal delivered meanwhile in the pipe, after what is there.
func (c *Catcher) stopCatching() {
	signal.Stop(c.impl.c)
	close(c.impl.quit)
	<-c.impl.done
	for len(c.impl.c) > 0 {
		put(<-c.impl.c)
	}
}

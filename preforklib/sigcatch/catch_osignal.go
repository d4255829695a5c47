//go:build !(linux && amd64) || sigcatch_osignal

package sigcatch

import (
	"os"
	"os/signal"
	"syscall"
)

// catcherImpl is what the os/signal Catcher adds: the channel os/signal
// delivers to and the end of the goroutine that passes the signals on.
type catcherImpl struct {
	c    chan os.Signal
	quit chan struct{}
	done chan struct{}
}

func (c *Catcher) catch(sigs []syscall.Signal) error {
	c.caught = sigs
	notify := make([]os.Signal, len(sigs))
	for i, sig := range sigs {
		notify[i] = sig
	}
	c.impl = catcherImpl{c: make(chan os.Signal, chanSize), quit: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(c.impl.c, notify...)
	go func() {
		defer close(c.impl.done)
		for {
			select {
			case sig := <-c.impl.c:
				c.deliver(sig.(syscall.Signal))
			case <-c.impl.quit:
				return
			}
		}
	}()
	return nil
}

func (c *Catcher) stopDelivery() {
	signal.Stop(c.impl.c)
	close(c.impl.quit)
	<-c.impl.done
}

func (c *Catcher) undelivered() []syscall.Signal {
	var sigs []syscall.Signal
	for len(c.impl.c) > 0 {
		sigs = append(sigs, (<-c.impl.c).(syscall.Signal))
	}
	return sigs
}

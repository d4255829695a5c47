//go:build !(linux && amd64) || sigcatch_osignal

package sigcatch

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// catcherImpl is what the os/signal Catcher adds: the channel os/signal
// delivers to, the goroutine that passes each signal on to the pipe that
// Fd polls, and the pipe's ends.
type catcherImpl struct {
	c            chan os.Signal
	quit, done   chan struct{}
	pipeR, pipeW int
}

// The pipe, made by the first Catch and kept, as the raw Catcher's is:
// a goroutine may still be in Take as Release returns.
var (
	pipeOnce     sync.Once
	pipeErr      error
	pipeR, pipeW int
)

func (c *Catcher) catch(sigs []syscall.Signal) error {
	pipeOnce.Do(func() {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
			pipeErr = fmt.Errorf("catch signals: make a pipe: %w", err)
			return
		}
		pipeR, pipeW = p[0], p[1]
	})
	if pipeErr != nil {
		return pipeErr
	}
	p := [2]int{pipeR, pipeW}
	c.caught = sigs
	notify := make([]os.Signal, len(sigs))
	for i, sig := range sigs {
		notify[i] = sig
	}
	c.impl = catcherImpl{c: make(chan os.Signal, takeSize), quit: make(chan struct{}), done: make(chan struct{}), pipeR: p[0], pipeW: p[1]}
	signal.Notify(c.impl.c, notify...)
	go func() {
		defer close(c.impl.done)
		for {
			select {
			case sig := <-c.impl.c:
				c.impl.put(sig)
			case <-c.impl.quit:
				return
			}
		}
	}()
	return nil
}

// put writes sig to the pipe; a full pipe drops it.
func (i *catcherImpl) put(sig os.Signal) {
	_, _ = unix.Write(i.pipeW, []byte{byte(sig.(syscall.Signal))})
}

// stopCatching stops os/signal's delivery and the goroutine, and puts
// what os/signal delivered meanwhile in the pipe, after what is there.
func (c *Catcher) stopCatching() {
	signal.Stop(c.impl.c)
	close(c.impl.quit)
	<-c.impl.done
	for len(c.impl.c) > 0 {
		c.impl.put(<-c.impl.c)
	}
}

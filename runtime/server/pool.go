package server

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"luapf/preforklib/calltrace"
	"luapf/preforklib/reexec"

	"golang.org/x/sys/unix"
)

// executor is one started executor process, restoring or restored, waiting
// for its call on the control socket.
type executor struct {
	cmd     *exec.Cmd
	control *net.UnixConn
	pgid    int
	// crash delivers the executor's crash report once it has exited
	// (crash.go); "" if it did not crash.
	crash <-chan string
}

// pool keeps executors restored ahead of calls: a call takes a waiting one
// (a pool hit: no restore on the call's path). The pool refills when a
// call has its exit (refill, from the call's monitor), not while the call
// runs: starting an executor (exec, the Go runtime, the restore) would
// compete with the call for the CPU, and a machine may have two cores. A
// call that finds none waiting takes the one the pool is starting, if
// any, rather than start a second; with size 0 or nothing on the way, the
// call starts its own. An idle server lets its pooled executors go
// (letGo); the next call refills it.
//
// A waiting executor may be lent the server's listening socket, to accept
// the next call itself (lend, accept.go); it still counts as waiting.
type pool struct {
	size  int
	start func() (*executor, error)
	log   *serverLog
	// onReady, if set, is told (without the lock held) whenever an
	// executor starts waiting: the server may lend it the socket.
	onReady func()

	mu       sync.Mutex
	ready    []*executor
	lent     int                // waiting executors lent the listening socket
	starting int                // executors the pool is starting
	claims   []chan<- *executor // calls waiting for those, oldest first (never more than starting)
	closed   bool
	dormant  bool // let go: no refilling until a call takes an executor
}

func newPool(size int, start func() (*executor, error), onReady func(), log *serverLog) *pool {
	p := &pool{size: size, start: start, onReady: onReady, log: log}
	p.refill()
	return p
}

// lend takes a waiting executor to lend the listening socket to; nil if
// none is waiting. It counts as waiting until lent ends.
func (p *pool) lend() *executor {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ready) == 0 {
		return nil
	}
	e := p.ready[0]
	p.ready = p.ready[1:]
	p.lent++
	return e
}

// lentEnded takes back an executor lent the listening socket: it took a
// call (took), or it goes back to waiting (putBack).
func (p *pool) lentEnded(e *executor, took bool) {
	p.mu.Lock()
	p.lent--
	if took {
		p.dormant = false // as take: a call came
	}
	p.mu.Unlock()
	if !took {
		p.putBack(e)
	}
}

// take returns an executor for a call: a waiting one, else one the pool
// is starting, else one started for the call.
func (p *pool) take() (*executor, error) {
	p.mu.Lock()
	p.dormant = false
	if len(p.ready) > 0 {
		e := p.ready[0]
		p.ready = p.ready[1:]
		p.mu.Unlock()
		return e, nil
	}
	if p.starting > len(p.claims) {
		claim := make(chan *executor, 1)
		p.claims = append(p.claims, claim)
		p.mu.Unlock()
		if e := <-claim; e != nil {
			return e, nil
		}
		return p.start() // that start failed (and was logged): try once more
	}
	p.mu.Unlock()
	return p.start()
}

// refill starts executors in the background until size are waiting or
// on their way. A call's monitor calls it once the call has its exit.
func (p *pool) refill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && !p.dormant && len(p.ready)+p.lent+p.starting-len(p.claims) < p.size {
		p.starting++
		go func() { p.started(p.start()) }()
	}
}

// started takes an executor the pool started (nil if the start failed
// with err): to the oldest call waiting for one, else into the pool.
func (p *pool) started(e *executor, err error) {
	p.mu.Lock()
	p.starting--
	var claim chan<- *executor
	if len(p.claims) > 0 {
		claim, p.claims = p.claims[0], p.claims[1:]
	}
	keep := claim == nil && err == nil && !p.closed && !p.dormant
	if keep {
		p.ready = append(p.ready, e)
	}
	p.mu.Unlock()
	switch {
	case err != nil:
		p.log.Printf("cannot start a pooled executor: %v", err)
		if claim != nil {
			claim <- nil
		}
	case claim != nil:
		claim <- e
	case !keep:
		e.discard()
	default:
		p.readyNow()
	}
}

// readyNow tells onReady that an executor started waiting.
func (p *pool) readyNow() {
	if p.onReady != nil {
		p.onReady()
	}
}

// putBack returns an executor that was handed a call but got no request:
// it is restored and untouched, as it was in the pool.
func (p *pool) putBack(e *executor) {
	p.mu.Lock()
	keep := !p.closed && !p.dormant
	if keep {
		p.ready = append(p.ready, e)
	}
	p.mu.Unlock()
	if !keep {
		e.discard()
		return
	}
	p.readyNow()
}

// letGo stops refilling until a call takes an executor, and returns the
// waiting executors for the caller to discard, and how many more are lent
// the listening socket: those are discarded when they give it back, as is
// one still restoring once it is ready.
func (p *pool) letGo() (ready []*executor, lent int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dormant = true
	ready = p.ready
	p.ready = nil
	return ready, p.lent
}

// close lets the waiting executors go and stops refilling.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	ready := p.ready
	p.ready = nil
	p.mu.Unlock()
	for _, e := range ready {
		e.discard()
	}
}

// startExecutor re-executes luapf as an executor for image. Its standard
// streams are /dev/null and the log until a call hands it the caller's; a
// pipe brings the server its Go runtime's crash report, if any (crash.go).
// It runs in its own process group (so a call's whole process tree can be
// signalled) and dies with the server.
func startExecutor(image *os.File, script string, logFile *os.File, defaultProcs int, trace *calltrace.Recorder) (*executor, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("start executor: socketpair: %w", err)
	}
	ours := os.NewFile(uintptr(pair[0]), "executor control socket (server end)")
	theirs := os.NewFile(uintptr(pair[1]), "executor control socket (executor end)")
	defer theirs.Close()
	crashR, crashW, err := os.Pipe()
	if err != nil {
		ours.Close()
		return nil, fmt.Errorf("start executor: crash report pipe: %w", err)
	}
	defer crashW.Close()
	cmd := reexec.Command(reexec.RoleExecutor, script)
	cmd.Env = reexec.ExecutorEnv(os.Environ(), defaultProcs) // reexec/procs.go
	if cmd.ExtraFiles, err = reexec.ExecutorLayout.ExtraFiles(map[int]*os.File{
		reexec.ExecutorFdImage:   image,
		reexec.ExecutorFdControl: theirs,
		reexec.ExecutorFdCrash:   crashW,
	}); err != nil {
		ours.Close()
		crashR.Close()
		return nil, err
	}
	if logFile != nil {
		cmd.Stderr = logFile
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		ours.Close()
		crashR.Close()
		return nil, fmt.Errorf("start executor: %w", err)
	}
	trace.MarkDetail(calltrace.ServerExecutor, fmt.Sprintf("pid=%d", cmd.Process.Pid))
	// Only the executor may hold the write end: its exit ends the pipe.
	crashW.Close()
	crash := readCrashReport(crashR)
	conn, err := reexec.UnixConn(reexec.RoleServer, ours)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("start executor: %w", err)
	}
	return &executor{cmd: cmd, control: conn, pgid: cmd.Process.Pid, crash: crash}, nil
}

// killedAfterReport reports whether a reaped executor that sent its exit
// report was then killed by a signal, before it could send the client the
// status.
func (e *executor) killedAfterReport() bool {
	ws, ok := e.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// discard ends an executor that never got a call: closing its control
// socket makes it exit; SIGKILL makes sure, then it is reaped.
func (e *executor) discard() {
	e.control.Close()
	syscall.Kill(-e.pgid, syscall.SIGKILL)
	e.cmd.Wait()
}

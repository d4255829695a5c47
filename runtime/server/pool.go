package server

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"

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
// (a pool hit: no restore on the call's path) and a replacement starts at
// once. With size 0 or an empty pool, the call starts its own. An idle
// server lets its pooled executors go (letGo); the next call refills it.
type pool struct {
	size  int
	start func() (*executor, error)
	log   *serverLog

	mu       sync.Mutex
	ready    []*executor
	starting int
	closed   bool
	dormant  bool // let go: no refilling until a call takes an executor
}

func newPool(size int, start func() (*executor, error), log *serverLog) *pool {
	p := &pool{size: size, start: start, log: log}
	p.refill()
	return p
}

// take returns an executor for a call.
func (p *pool) take() (*executor, error) {
	p.mu.Lock()
	p.dormant = false
	if len(p.ready) > 0 {
		e := p.ready[0]
		p.ready = p.ready[1:]
		p.mu.Unlock()
		p.refill()
		return e, nil
	}
	p.mu.Unlock()
	e, err := p.start()
	p.refill()
	return e, err
}

// refill starts executors in the background until size are ready or
// starting.
func (p *pool) refill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && !p.dormant && len(p.ready)+p.starting < p.size {
		p.starting++
		go func() {
			e, err := p.start()
			p.mu.Lock()
			p.starting--
			switch {
			case err != nil:
				p.log.Printf("cannot start a pooled executor: %v", err)
			case p.closed || p.dormant:
				e.discard()
			default:
				p.ready = append(p.ready, e)
			}
			p.mu.Unlock()
		}()
	}
}

// letGo stops refilling until a call takes an executor, and returns the
// waiting executors for the caller to discard; one still restoring is
// discarded once it is ready.
func (p *pool) letGo() []*executor {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dormant = true
	ready := p.ready
	p.ready = nil
	return ready
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
func startExecutor(image *os.File, script string, logFile *os.File) (*executor, error) {
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

// discard ends an executor that never got a call: closing its control
// socket makes it exit; SIGKILL makes sure, then it is reaped.
func (e *executor) discard() {
	e.control.Close()
	syscall.Kill(-e.pgid, syscall.SIGKILL)
	e.cmd.Wait()
}

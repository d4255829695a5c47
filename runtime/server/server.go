package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
	"luapf/preforklib/reexec"
	"luapf/preforklib/rundir"
	"luapf/runtime/image"
	"luapf/runtime/lua"
	"luapf/runtime/snapshot"
)

// server accepts calls for one script: each call gets its own goroutine
// (the monitor, monitor.go) and its own executor process.
type server struct {
	meta     image.Meta
	opts     lua.Options
	listener *net.UnixListener
	log      *serverLog
	pool     *pool
	slots    chan struct{} // one per call in progress; nil: unlimited

	quit     chan struct{}
	quitOnce sync.Once
	reason   string
	// revoke asks for the accept order of a lent executor (lend.go) to
	// be taken back: the pool lets its executors go.
	revoke chan struct{}

	calls    sync.WaitGroup
	mu       sync.Mutex
	active   int
	idle     *time.Timer // idle_timeout: the server quits
	poolIdle *time.Timer // pool_idle_timeout: the pool lets its executors go
	trim     *time.Timer // idleTrimDelay: the server gives back what calls used

	served, failed atomic.Int64
	stats          *serverStats        // for status queries (statusquery.go)
	trace          *calltrace.Recorder // nil unless LUAPF_TRACE asks
}

// Main runs the server role, started by setup in a new session with the
// descriptors of reexec.ServerLayout. It tells setup "ok" once it can
// serve, serves the initial call at once, then accepts calls until its
// socket is removed or replaced, a watched file changes, it has been idle
// for idle_timeout, or accepting keeps failing.
func Main(argv []string) int {
	files, err := reexec.ServerLayout.Inherit()
	if err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	watchIn, watchErr, imageF, ready := files[reexec.ServerFdWatchIn], files[reexec.ServerFdWatchErr], files[reexec.ServerFdImage], files[reexec.ServerFdReady]
	// Executors must get the signals later callers forward, whatever the
	// first caller ignored.
	if err := reexec.ResetIgnoredSignals(preforklib.ForwardedSignals...); err != nil {
		return preforklib.Fail(os.Stderr, err)
	}
	defer watchIn.Close() // held only so the watcher sees us alive
	// Setup reports why the server could not start; stderr, /dev/null
	// then, tells whoever started the role by hand.
	fail := func(err error) int {
		fmt.Fprintf(ready, "%v\n", err)
		ready.Close()
		return preforklib.Fail(os.Stderr, err)
	}
	listener, err := reexec.UnixListener(reexec.RoleServer, files[reexec.ServerFdListen])
	if err != nil {
		return fail(err)
	}
	listener.SetUnlinkOnClose(false) // the socket path belongs to the clients' protocol
	callConn, err := reexec.UnixConn(reexec.RoleServer, files[reexec.ServerFdCall])
	if err != nil {
		return fail(err)
	}
	im, err := image.Map(imageF)
	if err != nil {
		return fail(err)
	}
	// Executors trust the image: check it once, before serving.
	if err := snapshot.Validate(im.State); err != nil {
		return fail(fmt.Errorf("the snapshot of %s: %w", im.Meta.Script, err))
	}
	eager, err := image.RestoreMode()
	if err != nil {
		return fail(err)
	}
	log, err := openServerLog(listener.Addr().String(), im.Meta.Options.LogFacility, im.Meta.Script)
	if err != nil {
		return fail(err)
	}
	if log.file != nil {
		// A crash of the Go runtime writes to fd 2: keep it in the log.
		unix.Dup3(int(log.file.Fd()), 2, 0)
	}
	s := &server{
		meta: im.Meta, opts: im.Meta.Options, listener: listener,
		log: log, quit: make(chan struct{}), revoke: make(chan struct{}, 1),
		stats: newServerStats(im), trace: calltrace.FromEnv(reexec.RoleServer),
	}
	if s.opts.MaxServers >= 0 {
		s.slots = make(chan struct{}, max(s.opts.MaxServers, 1))
	}
	defaultProcs := reexec.DefaultProcs()
	s.pool = newPool(s.opts.Pool, func() (*executor, error) {
		return startExecutor(imageF, s.meta.Script, log.file, defaultProcs, s.trace)
	}, s.wakeAcceptLoop, log)
	ready.WriteString("ok\n")
	ready.Close()
	restore := "lazy"
	if eager {
		restore = "eager"
	}
	log.Printf("server %d started for %s (pool %d, max_servers %d, idle_timeout %gs, pool_idle_timeout %gs, restore %s)",
		os.Getpid(), s.meta.Script, s.opts.Pool, s.opts.MaxServers, s.opts.IdleTimeout, s.opts.PoolIdleTimeout, restore)
	return s.run(callConn, watchErr)
}

func (s *server) run(initial *net.UnixConn, watchErr *os.File) int {
	s.startCall(initial, s.meta.InitialLuapfClient, false)
	go s.watchWatcher(watchErr)
	// The accept loop counts as a call: it may start one as the server
	// stops (an executor lent the socket took it), which must be waited for.
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		s.acceptLoop()
	}()
	<-s.quit
	s.listener.Close()
	s.calls.Wait()
	s.pool.close()
	s.log.Printf("server %d stopped after %d calls (%d failed): %s", os.Getpid(), s.served.Load(), s.failed.Load(), s.reason)
	return lua.ExitOK
}

// stop makes the server quit once the calls in progress are done.
func (s *server) stop(reason string) {
	s.quitOnce.Do(func() {
		s.reason = reason
		close(s.quit)
		s.listener.Close()
	})
}

func (s *server) stopping() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// acquire takes a call slot, waiting while max_servers calls are in
// progress; it reports false when the server is stopping.
func (s *server) acquire() bool {
	if s.slots == nil {
		return !s.stopping()
	}
	select {
	case s.slots <- struct{}{}:
		return true
	case <-s.quit:
		return false
	}
}

// tryAcquire takes a call slot if one is free.
func (s *server) tryAcquire() bool {
	if s.slots == nil {
		return true
	}
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// release frees a call's slot at its end: the accept loop may lend the
// socket again (lend.go).
func (s *server) release() {
	if s.slots != nil {
		<-s.slots
		s.wakeAcceptLoop()
	}
}

// releaseLent frees the slot the accept loop took to lend the socket: it
// looks again by itself.
func (s *server) releaseLent() {
	if s.slots != nil {
		<-s.slots
	}
}

// acceptLoop accepts calls and status queries until the server stops, or
// lends the listening socket to a waiting executor, which accepts the next
// call itself (lend.go). It takes no call slot for what it accepts itself,
// so that a status query is answered even while max_servers calls run; a
// call waits for its slot in its own goroutine, as it would otherwise in
// the listening socket's backlog.
func (s *server) acceptLoop() {
	failures := 0
	for {
		// wakeAcceptLoop's deadline, set since the last lend, has done
		// its work once lendSocket has looked.
		s.listener.SetDeadline(time.Time{})
		lent, err := s.lendSocket()
		var conn *net.UnixConn
		if !lent {
			conn, err = s.listener.AcceptUnix()
		}
		if err != nil {
			if s.stopping() {
				return
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue // woken: an executor waits to be lent the socket
			}
			failures++
			s.log.Printf("accept: %v", err)
			if failures > s.opts.MaxErrors {
				s.stop(fmt.Sprintf("more than %d errors accepting calls", s.opts.MaxErrors))
				return
			}
			continue
		}
		if lent {
			continue
		}
		s.trace.Mark(calltrace.ServerAccept)
		s.serveConn(conn)
	}
}

// wakeAcceptLoop makes the accept loop look again whether it can lend the
// socket, if it is waiting in accept.
func (s *server) wakeAcceptLoop() {
	s.listener.SetDeadline(time.Now())
}

// serveConn serves a connection accepted on the listening socket, by the
// server or by an executor that handed it back: a status query or a call.
func (s *server) serveConn(conn *net.UnixConn) {
	// Another user is refused, status query or call alike; refusals are
	// not counted as accept errors, so that another user cannot make the
	// server quit.
	if err := rundir.CheckPeer(conn); err != nil {
		s.log.Printf("refused a connection: %v", err)
		conn.Close()
		return
	}
	if preforklib.IsStatusQuery(conn.RemoteAddr()) {
		s.startStatusQuery(conn)
		return
	}
	s.startCall(conn, preforklib.IsLuapfClient(conn.RemoteAddr()), true)
}

// callStarted counts a call in progress, which stops the idle clocks.
func (s *server) callStarted() {
	s.calls.Add(1)
	s.mu.Lock()
	s.active++
	for _, t := range []*time.Timer{s.idle, s.poolIdle, s.trim} {
		if t != nil {
			t.Stop()
		}
	}
	s.mu.Unlock()
}

// startCall serves conn in its own goroutine once it has a call slot.
// accepted says conn came from the listener (not the initial call), so the
// code is checked for changes first.
func (s *server) startCall(conn *net.UnixConn, luapfClient, accepted bool) {
	s.callStarted()
	go func() {
		defer s.calls.Done()
		defer s.callEnded()
		if !s.acquire() {
			conn.Close() // stopping: the caller retries with a new server
			return
		}
		defer s.release()
		// Before serving, make sure the code is current: the caller sees
		// the connection close without a greeting and starts a new server.
		if accepted {
			if path, stale := s.meta.Stale(); stale {
				conn.Close()
				s.stop(path + " changed: reloading")
				return
			}
		}
		s.serveCall(conn, luapfClient)
	}()
}

// callEnded starts the idle clocks when the last call in progress ends:
// idle_timeout's, after which the server quits, pool_idle_timeout's,
// after which its pooled executors are let go, and idleTrimDelay's, after
// which it gives back the memory its calls used.
func (s *server) callEnded() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.active > 0 {
		return
	}
	startClock(&s.idle, lua.Duration(s.opts.IdleTimeout), s.idleExpired)
	startClock(&s.poolIdle, lua.Duration(s.opts.PoolIdleTimeout), s.poolIdleExpired)
	startClock(&s.trim, idleTrimDelay, s.trimExpired)
}

// startClock makes *t fire f after d, from now.
func startClock(t **time.Timer, d time.Duration, f func()) {
	if *t == nil {
		*t = time.AfterFunc(d, f)
	} else {
		(*t).Reset(d)
	}
}

// quiet reports whether no call is in progress: an idle clock that fires
// just as a call starts must leave that call's server alone.
func (s *server) quiet() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active == 0
}

func (s *server) idleExpired() {
	if s.quiet() {
		s.stop(fmt.Sprintf("idle for %gs", s.opts.IdleTimeout))
	}
}

// poolIdleExpired lets the pooled executors go once the server has had no
// call for pool_idle_timeout: each holds a whole restored heap. The next
// call restores its own executor and the pool refills behind it.
func (s *server) poolIdleExpired() {
	s.mu.Lock()
	var idle []*executor
	lent := 0
	if s.active == 0 { // else a call started meanwhile: it keeps the pool
		idle, lent = s.pool.letGo()
	}
	s.mu.Unlock()
	if lent > 0 {
		select {
		case s.revoke <- struct{}{}: // the accept loop takes the socket back
		default:
		}
	}
	for _, e := range idle {
		e.discard()
	}
	if n := len(idle) + lent; n > 0 {
		s.log.Printf("let %d pooled executor(s) go after %gs without a call; the next call restores its own", n, s.opts.PoolIdleTimeout)
	}
}

// idleTrimDelay is how long after its last call in progress ends a server
// gives the memory its calls used back to the system. A call allocates
// little in the server (some tens of kB), but the Go heap grows to its
// 4 MB minimum goal between collections and is returned only slowly, so a
// server that has gone quiet would hold up to 4 MB it no longer uses for
// as long as it lingers. Not at once: the collection costs a millisecond
// or two of CPU, and a call just after it finds no heap pages mapped and
// faults them in again, so calls that come every second or so keep theirs.
const idleTrimDelay = 5 * time.Second

// trimExpired returns freed memory to the system once the server has had
// no call in progress for idleTrimDelay.
func (s *server) trimExpired() {
	if s.quiet() {
		debug.FreeOSMemory()
	}
}

// watchWatcher quits the server when the watcher exits (the socket was
// removed or replaced: end of file) or reports an error (data).
func (s *server) watchWatcher(watchErr *os.File) {
	buf := make([]byte, 4096)
	n, _ := watchErr.Read(buf)
	if n > 0 {
		s.log.Printf("watcher: %s", buf[:n])
		s.stop("the watcher reported an error")
		return
	}
	s.stop("the socket was removed or replaced")
}

package server

import (
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"luapf/preforklib"
	"luapf/runtime/image"
)

// A server answers status queries (preforklib.FeatureStatus, for
// `luapf --status`) with what it counts: uptime, calls served and failed,
// executors busy and pooled, the snapshot's size and where it logs.

// serverStats is what a server keeps for status queries beyond its call
// counters.
type serverStats struct {
	started       time.Time
	script        string // absolute path
	snapshotBytes int64
	busy          atomic.Int64 // executors running a call, until reaped
}

func newServerStats(im *image.Image) *serverStats {
	script := im.Meta.Script
	// The server runs in the directory its first caller ran in, which a
	// relative script path is relative to.
	if abs, err := filepath.Abs(script); err == nil {
		script = abs
	}
	return &serverStats{started: time.Now(), script: script, snapshotBytes: int64(len(im.State))}
}

// startStatusQuery answers a status query in its own goroutine. It takes
// no call slot and does not count as activity for idle_timeout.
func (s *server) startStatusQuery(conn *net.UnixConn) {
	s.calls.Add(1)
	go func() {
		defer s.calls.Done()
		defer conn.Close()
		// A query that goes wrong is the querying client's problem,
		// reported there; it is no call, so it is not logged.
		_ = s.answerStatus(conn)
	}()
}

// answerStatus speaks the status query protocol on conn (preforklib
// FeatureStatus): greeting with the offer, signalling byte, reply.
func (s *server) answerStatus(conn *net.UnixConn) error {
	conn.SetDeadline(time.Now().Add(preforklib.HandshakeTimeout))
	if err := preforklib.WriteGreeting(conn, s.offer().Encode()); err != nil {
		return err
	}
	if err := preforklib.ReadStatusQuery(conn); err != nil {
		return err
	}
	return preforklib.WriteStatusReply(conn, s.status())
}

// status returns what the server is doing now.
func (s *server) status() preforklib.ServerStatus {
	return preforklib.ServerStatus{
		Pid:             os.Getpid(),
		Script:          s.stats.script,
		Uptime:          time.Since(s.stats.started),
		CallsServed:     s.served.Load(),
		CallsFailed:     s.failed.Load(),
		ExecutorsBusy:   int(s.stats.busy.Load()),
		ExecutorsPooled: s.pool.waiting(),
		SnapshotBytes:   s.stats.snapshotBytes,
		Log:             s.log.where,
	}
}

// waiting returns how many executors are restored and waiting for a call.
func (p *pool) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ready) + p.lent
}

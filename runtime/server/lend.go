package server

import (
	"errors"
	"fmt"

	"luapf/preforklib"
	"luapf/preforklib/calltrace"
)

// Lending the listening socket. A warm call used to wake the server to
// accept it and then the executor to take it over, two hand-offs between
// processes in a row before the script could start, each costing a
// sleeping process's wake-up (hundreds of microseconds on a virtual
// machine). Instead, while an executor waits in the pool and a call slot
// is free, the server lends that executor its listening socket (an accept
// order, preforklib/control.go): the executor accepts the next call
// itself, greets it, and when the request is already there (a luapf
// client's early request), reads it before it tells the server, which
// then watches the call as if it had handed it over. The server accepts
// only while no executor holds the socket: when the pool is empty,
// max_servers calls run, an executor gave a connection back (a status
// query, another user, a changed script: the server's to serve), or it
// said it accepted one and is waiting for its request.

// lentAnswer is one answer of an executor lent the socket.
type lentAnswer struct {
	preforklib.Answer
	err error
}

// awaitAnswer reads the executor's next answer in the background.
func awaitAnswer(e *executor) <-chan lentAnswer {
	c := make(chan lentAnswer, 1)
	go func() {
		a, err := preforklib.ReadAnswer(e.control)
		c <- lentAnswer{a, err}
	}()
	return c
}

// lendSocket lends the listening socket to a waiting executor, which
// accepts the next connection itself, and deals with what the executor
// answers. It reports false when it lent nothing: no executor waits, no
// call slot is free (a call then waits for one in the server, as a status
// query must not), or the server is stopping. Until it returns, the
// server does not accept; it returns once the executor answered for one
// connection, or gave the socket back when the server stopped or let its
// pool go. acceptErr is the executor's failure to accept, which the
// server counts as its own (max_errors).
func (s *server) lendSocket() (lent bool, acceptErr error) {
	if s.stopping() || !s.tryAcquire() {
		return false, nil
	}
	select {
	case <-s.revoke: // asked for before this loan: it concerns no one now
	default:
	}
	e := s.pool.lend()
	if e == nil {
		s.releaseLent()
		return false, nil
	}
	if err := preforklib.WriteAcceptOrder(e.control, s.listener, s.offer().Encode()); err != nil {
		s.lost(e, err)
		return true, nil
	}
	s.trace.MarkDetail(calltrace.ServerLent, fmt.Sprintf("pid=%d", e.cmd.Process.Pid))
	answer := awaitAnswer(e)
	quit, revoke := s.quit, s.revoke
	revoking := false
	for {
		select {
		case a := <-answer:
			var acceptFailed *preforklib.AcceptError
			if errors.As(a.err, &acceptFailed) {
				acceptErr = fmt.Errorf("executor %d, lent the listening socket: %w", e.cmd.Process.Pid, acceptFailed)
			}
			if s.lentAnswered(e, a, revoking) {
				return true, acceptErr
			}
			answer = awaitAnswer(e) // its answer to the revoke
			continue
		case <-quit:
		case <-revoke:
		}
		// Take the socket back. The executor may have answered for a
		// connection meanwhile: it answers the revoke when it next waits
		// for an order, unless it has a call.
		revoking, quit, revoke = true, nil, nil
		if err := preforklib.WriteRevoke(e.control); err != nil {
			s.lost(e, err)
			return true, acceptErr
		}
	}
}

// lentAnswered deals with an answer of executor e, lent the socket: it
// took a call, accepted one, handed a connection back, got no request,
// failed to accept (lendSocket's caller hears of that), or gave the
// socket back (revoked). It reports whether the loan is over; it
// is not while a revoke is pending (revoking) that the executor has yet to
// answer.
func (s *server) lentAnswered(e *executor, a lentAnswer, revoking bool) (over bool) {
	var noRequest *preforklib.NoRequestError
	switch {
	case a.err == nil && a.Revoked:
		s.pool.lentEnded(e, false)
		s.releaseLent()
		return true
	case a.err == nil && a.Conn != nil && !a.HandedBack:
		// A call, taken or to be: the slot is the call's from here.
		s.pool.lentEnded(e, true)
		s.callStarted()
		go func() {
			defer s.calls.Done()
			defer s.callEnded()
			defer s.release()
			defer a.Conn.Close()
			if a.Taken {
				s.runCall(a.Conn, e, &taken{ext: a.Ext, stderr: a.Stderr})
				return
			}
			t, err := s.awaitTaken(e, revoking)
			s.serveTaken(a.Conn, preforklib.IsLuapfClient(a.Conn.RemoteAddr()), e, t, err)
		}()
		return true
	case a.err == nil && a.HandedBack:
		s.serveConn(a.Conn)
	case errors.As(a.err, &noRequest):
		s.noRequest(noRequest)
	case errors.As(a.err, new(*preforklib.AcceptError)):
	default:
		if a.err == nil {
			a.Close()
			a.err = errors.New("it answered an accept order as a call order")
		}
		s.lost(e, a.err)
		return true
	}
	if revoking {
		return false
	}
	s.pool.lentEnded(e, false)
	s.releaseLent()
	return true
}

// lost lets go of an executor lent the socket that cannot go on (it
// ended, or broke the control protocol), and starts another in its place.
func (s *server) lost(e *executor, err error) {
	s.log.Printf("executor %d, lent the listening socket: %v", e.cmd.Process.Pid, err)
	s.pool.lentEnded(e, true)
	e.discard()
	s.releaseLent()
	s.pool.refill()
}

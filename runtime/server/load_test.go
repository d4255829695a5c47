package server_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/adler32"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"luapf/internal/testutil"
	"luapf/runtime/server"
)

// Load: many calls at once on a cold script, and the soak, thousands of
// calls that must all come back exactly right while the server stays the
// same size.

// soakCall is one call of soak.lua: its token, stdin and how it ends.
type soakCall struct {
	token string
	stdin []byte
	how   string // an exit status, or "error"
}

// newSoakCall makes call number i: a unique token, random stdin of one of
// a few sizes (empty, small, a pipe's worth and more), and an ending that
// cycles through several exit statuses and an uncaught error.
func newSoakCall(i int) soakCall {
	var nonce [6]byte
	rand.Read(nonce[:])
	sizes := []int{0, 1, 100, 4096, 65536 + 7, 3000, 200_000}
	stdin := make([]byte, sizes[i%len(sizes)])
	rand.Read(stdin)
	hows := []string{"0", "1", "3", "0", "42", "255", "error", "2", "0", "127", "64"}
	return soakCall{token: fmt.Sprintf("%d-%s", i, hex.EncodeToString(nonce[:])), stdin: stdin, how: hows[i%len(hows)]}
}

// check compares what the call got with what it should have, and returns
// whether the status was wrong and how many bytes of output were lost or
// garbled, with a description of what differed.
func (c soakCall) check(res testutil.Result) (wrongStatus bool, badBytes int, why string) {
	wantCode, _ := strconv.Atoi(c.how)
	wantStderr := "token " + c.token + "\n"
	if c.how == "error" {
		wantCode = 1
	}
	if res.Code != wantCode || res.Signal != 0 {
		wrongStatus = true
		why = fmt.Sprintf("exit %d signal %v, want %d; ", res.Code, res.Signal, wantCode)
	}
	wantStdout := fmt.Sprintf("token %s len %d adler32 %d check 10000\n%s", c.token, len(c.stdin), adler32.Checksum(c.stdin), c.stdin)
	badBytes = differingBytes(res.Stdout, wantStdout)
	if c.how == "error" {
		if !strings.HasPrefix(res.Stderr, wantStderr+"luapf: ") || !strings.Contains(res.Stderr, "failed on purpose: "+c.token+"\nstack traceback:\n") {
			badBytes += max(len(res.Stderr), 1)
		}
	} else {
		badBytes += differingBytes(res.Stderr, wantStderr)
	}
	if badBytes > 0 {
		why += fmt.Sprintf("%d bytes of output lost or garbled (stdout %d bytes, want %d; stderr %.200q)", badBytes, len(res.Stdout), len(wantStdout), res.Stderr)
	}
	return wrongStatus, badBytes, why
}

// differingBytes counts the bytes of want that got does not have in place.
func differingBytes(got, want string) int {
	n := max(len(got), len(want)) - min(len(got), len(want))
	for i := 0; i < min(len(got), len(want)); i++ {
		if got[i] != want[i] {
			n++
		}
	}
	return n
}

// TestColdStartRace: 50 clients started at once on a script with no
// server start exactly one server, and every call is right.
func TestColdStartRace(t *testing.T) {
	l := newLuapf(t)
	path := script("test/soak.lua")
	const clients = 50
	calls := make([]soakCall, clients)
	results := make([]testutil.Result, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range calls {
		calls[i] = newSoakCall(i)
		cmd := l.command(path, calls[i].token, calls[i].how)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = testutil.Run(t, cmd, string(calls[i].stdin))
		}()
	}
	close(start)
	wg.Wait()
	for i, c := range calls {
		if wrongStatus, badBytes, why := c.check(results[i]); wrongStatus || badBytes > 0 {
			t.Errorf("call %d: %s", i, why)
		}
	}
	l.onlyPid(l.servers(), "server")
	l.onlyPid(l.sb.ProcessesMatching("luapf [watcher]"), "watcher")
	if n := strings.Count(l.serverLog(), " started for "); n != 1 {
		t.Errorf("%d servers started, want 1:\n%s", n, l.serverLog())
	}
}

// serverFigures is what the soak measures of the server when it is idle.
type serverFigures struct {
	fds   int
	rssKB int
}

// idleServer waits until the server is idle (its one pooled executor
// restored and waiting, every call's executor reaped) and measures it.
func idleServer(t *testing.T, l *luapf, server int) serverFigures {
	t.Helper()
	want := map[string]int{"null": 2, "log": 2, "image": 1, "socket": 2, "pipe": 3, "pidfd": 1}
	held := settledDescriptors(t, "the idle server", server, l.serverFile("g"), want)
	n := 0
	for _, targets := range held {
		n += len(targets)
	}
	return serverFigures{fds: n, rssKB: idleRSS(server)}
}

// idleRSS returns the least resident set size, in kB, that the server pid
// shows over one and a half times its idleTrimDelay: the server gives back
// what its calls used once they are idleTrimDelay over, so this is what it
// keeps, not where its heap happened to be in its collection cycle.
func idleRSS(pid int) int {
	least := 0
	for end := time.Now().Add(server.IdleTrimDelay * 3 / 2); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		rss, err := strconv.Atoi(strings.TrimSuffix(procStatus(pid, "VmRSS"), " kB"))
		if err == nil && (least == 0 || rss < least) {
			least = rss
		}
	}
	return least
}

// soakCalls is how many calls the soak makes: a short run in make check,
// LUAPF_SOAK_CALLS (5,000 in make soak) for the real one.
func soakCalls(t *testing.T) int {
	if s := os.Getenv("LUAPF_SOAK_CALLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 {
			t.Fatalf("LUAPF_SOAK_CALLS=%q: want a number of calls, at least 200", s)
		}
		return n
	}
	return 400
}

// TestSoak makes thousands of calls, 8 at a time, with unique tokens,
// random stdin and mixed exit statuses: no wrong status, no byte lost or
// garbled; the idle server's descriptors the same and its RSS within a
// small bound of what they were after the first 100 calls; no zombie
// children; nothing left running but the server, its pooled executor and
// its watcher. It prints its figures (go test -v; make soak).
func TestSoak(t *testing.T) {
	const parallel, warmup = 8, 100
	total := soakCalls(t)
	l := newLuapf(t)
	path := script("test/soak.lua")
	var wrongStatuses, badCalls, badBytes atomic.Int64
	run := func(from, to int) {
		next := atomic.Int64{}
		next.Store(int64(from))
		var wg sync.WaitGroup
		for w := 0; w < parallel; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1) - 1); i < to; i = int(next.Add(1) - 1) {
					c := newSoakCall(i)
					wrong, bad, why := c.check(testutil.Run(t, l.command(path, c.token, c.how), string(c.stdin)))
					if wrong {
						wrongStatuses.Add(1)
					}
					badBytes.Add(int64(bad))
					if wrong || bad > 0 {
						if badCalls.Add(1) <= 10 {
							t.Errorf("call %d: %s", i, why)
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	started := time.Now()
	run(0, warmup)
	server := l.onlyPid(l.servers(), "server")
	afterWarmup := idleServer(t, l, server)
	run(warmup, total)
	elapsed := time.Since(started)
	atEnd := idleServer(t, l, server)
	if now := l.onlyPid(l.servers(), "server"); now != server {
		t.Errorf("the server changed from %d to %d", server, now)
	}
	procs := l.sb.Processes()
	zombies := zombieChildren(procs)
	t.Logf("soak: %d calls, %d at a time, in %v (%.0f calls/s)", total, parallel, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
	t.Logf("soak: wrong statuses %d, calls with lost or garbled bytes %d (%d bytes)", wrongStatuses.Load(), badCalls.Load(), badBytes.Load())
	t.Logf("soak: server fds after %d calls %d, at the end %d", warmup, afterWarmup.fds, atEnd.fds)
	t.Logf("soak: server RSS after %d calls %d kB, at the end %d kB", warmup, afterWarmup.rssKB, atEnd.rssKB)
	t.Logf("soak: zombie children of luapf processes %d; processes left %d", len(zombies), len(procs))
	if atEnd.fds != afterWarmup.fds {
		t.Errorf("the idle server held %d descriptors after %d calls and %d after %d", afterWarmup.fds, warmup, atEnd.fds, total)
	}
	// Both readings are of a server that has given back what its calls
	// used (idleRSS); what remains may grow with the heap's peak (the
	// collector's own tables) but a leak of even a few hundred bytes a
	// call would pass this bound after 5,000 calls.
	if bound := afterWarmup.rssKB + max(afterWarmup.rssKB/4, 4096); atEnd.rssKB > bound {
		t.Errorf("the idle server's RSS grew from %d kB after %d calls to %d kB after %d, more than the bound %d kB",
			afterWarmup.rssKB, warmup, atEnd.rssKB, total, bound)
	}
	for _, z := range zombies {
		t.Errorf("unreaped: %s", z)
	}
	if len(procs) != 3 {
		t.Errorf("want the server, its pooled executor and its watcher left, found %v", procs)
	}
}

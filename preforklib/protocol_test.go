package preforklib

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"luapf/internal/testutil"
)

func TestMessageRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		env, argv []string
		wire      string
	}{
		{"empty", nil, nil, "\x00"},
		{"env only", []string{"A=1", "B="}, nil, "A=1\x00B=\x00\x00"},
		{"argv only", nil, []string{"perl", "s.pl"}, "\x00perl\x00s.pl\x00"},
		{"both", []string{"HOME=/h", "X==y"}, []string{"/usr/bin/luapf", "s.lua", "a b"}, "HOME=/h\x00X==y\x00\x00/usr/bin/luapf\x00s.lua\x00a b\x00"},
		{"empty arguments", []string{"=v"}, []string{"", ""}, "=v\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := EncodeMessage(tt.env, tt.argv)
			if err != nil {
				t.Fatal(err)
			}
			if string(msg) != tt.wire {
				t.Errorf("EncodeMessage = %q, want %q", msg, tt.wire)
			}
			env, argv, err := DecodeMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			if !equalStrings(env, tt.env) || !equalStrings(argv, tt.argv) {
				t.Errorf("DecodeMessage = %q, %q; want %q, %q", env, argv, tt.env, tt.argv)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func TestDecodeMessageErrors(t *testing.T) {
	tests := []struct{ msg, err string }{
		{"", "does not end with a NUL"},
		{"A=1\x00\x00perl", "does not end with a NUL"},
		{"A=1\x00", "no empty string ends the environment"},
		{"A=1\x00NOEQUALS\x00\x00", `environment entry 1 "NOEQUALS" has no '='`},
	}
	for _, tt := range tests {
		if _, _, err := DecodeMessage([]byte(tt.msg)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("DecodeMessage(%q) error = %v, want one saying %q", tt.msg, err, tt.err)
		}
	}
}

func TestEncodeMessageErrors(t *testing.T) {
	tests := []struct {
		env, argv []string
		err       string
	}{
		{[]string{"NOEQUALS"}, nil, "has no '='"},
		{[]string{"A=\x00"}, nil, "contains a NUL"},
		{nil, []string{"a\x00b"}, "argument 0"},
		{nil, []string{strings.Repeat("x", MaxMessageLen)}, "more than the limit"},
	}
	for _, tt := range tests {
		if _, err := EncodeMessage(tt.env, tt.argv); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("EncodeMessage(%.20q, %.20q) error = %v, want one saying %q", tt.env, tt.argv, err, tt.err)
		}
	}
}

// FuzzDecodeMessage checks that DecodeMessage never panics and accepts
// exactly the canonical encodings: whatever it decodes encodes back to the
// same bytes.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range []string{"\x00", "A=1\x00\x00perl\x00s\x00", "A\x00\x00", "", "\x00\x00\x00", "=\x00\x00"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		env, argv, err := DecodeMessage(msg)
		if err != nil {
			return
		}
		again, err := EncodeMessage(env, argv)
		if err != nil {
			t.Fatalf("decoded %q into %q, %q, which do not encode: %v", msg, env, argv, err)
		}
		if !bytes.Equal(again, msg) {
			t.Fatalf("decoded %q, encoded back as %q", msg, again)
		}
	})
}

func TestGreetingRoundTrip(t *testing.T) {
	for _, ext := range [][]byte{nil, []byte("luapf-ext\x00\x01")} {
		var buf bytes.Buffer
		if err := WriteGreeting(&buf, ext); err != nil {
			t.Fatal(err)
		}
		if ext == nil && buf.String() != "PFI\n\x00\x00\x00\x00" {
			t.Errorf("v1 greeting = %q, want the 8 bytes PFI\\n 0 0 0 0", buf.String())
		}
		got, err := ReadGreeting(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ext) {
			t.Errorf("extension data %q, want %q", got, ext)
		}
	}
}

func TestReadGreetingErrors(t *testing.T) {
	long := binary.BigEndian.AppendUint32([]byte("PFI\n"), MaxGreetingData+1)
	tests := []struct {
		name, in string
		is       error
		err      string
	}{
		{"nothing", "", ErrNoGreeting, ""},
		{"part of the magic", "PF", ErrNoGreeting, ""},
		{"wrong magic", "HTTP/1.1", nil, `got "HTTP"`},
		{"no length", "PFI\n\x00\x00", ErrPeerGone, "extension length"},
		{"short data", "PFI\n\x00\x00\x00\x05abc", ErrPeerGone, "extension data"},
		{"too long", string(long), nil, "more than the limit"},
	}
	for _, tt := range tests {
		_, err := ReadGreeting(strings.NewReader(tt.in))
		switch {
		case err == nil:
			t.Errorf("%s: ReadGreeting(%q) succeeded", tt.name, tt.in)
		case tt.is != nil && !errors.Is(err, tt.is):
			t.Errorf("%s: error %v is not %v", tt.name, err, tt.is)
		case !strings.Contains(err.Error(), tt.err):
			t.Errorf("%s: error %v does not say %q", tt.name, err, tt.err)
		}
	}
}

// FuzzReadGreeting checks that ReadGreeting never panics and that what it
// accepts is a greeting WriteGreeting would send.
func FuzzReadGreeting(f *testing.F) {
	for _, seed := range []string{"PFI\n\x00\x00\x00\x00", "PFI\n\x00\x00\x00\x02ab", "PFI\n\xff\xff\xff\xff", "PF"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ext, err := ReadGreeting(bytes.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteGreeting(&buf, ext); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(in, buf.Bytes()) {
			t.Fatalf("read %q from %q, which does not start with its encoding %q", ext, in, buf.Bytes())
		}
	})
}

func TestStatusRoundTrip(t *testing.T) {
	for _, ws := range []uint32{0, 3 << 8, 0x8b, 0xffffffff} {
		var buf bytes.Buffer
		if err := WriteStatus(&buf, ws); err != nil {
			t.Fatal(err)
		}
		if got, err := ReadStatus(&buf); err != nil || got != ws {
			t.Errorf("ReadStatus = 0x%x, %v; want 0x%x", got, err, ws)
		}
	}
	if _, err := ReadStatus(strings.NewReader("\x00\x01")); !errors.Is(err, ErrPeerGone) {
		t.Errorf("ReadStatus of 2 bytes: %v, want ErrPeerGone", err)
	}
}

// connPair returns the two ends of a connected Unix stream socket pair.
func connPair(t *testing.T) (a, b *net.UnixConn) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int, name string) *net.UnixConn {
		f := os.NewFile(uintptr(fd), name)
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	a, b = conn(fds[0], "test socket a"), conn(fds[1], "test socket b")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// TestRequestOverSocket sends a whole call over a real socket pair and
// checks that each passed descriptor is the one that was sent.
func TestRequestOverSocket(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	client, server := connPair(t)
	inR, inW := testutil.Pipe(t)
	outR, outW := testutil.Pipe(t)
	errR, errW := testutil.Pipe(t)
	sent := &Request{Stdin: inR, Stdout: outW, Stderr: errW, Env: []string{"A=1", "PATH=/bin"}, Argv: []string{"perl", "s.pl", "x"}}
	done := make(chan error, 1)
	go func() { done <- WriteRequest(client, sent) }()
	got, err := ReadRequest(server, false)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Env, sent.Env) || !reflect.DeepEqual(got.Argv, sent.Argv) {
		t.Errorf("received env %q argv %q, sent %q %q", got.Env, got.Argv, sent.Env, sent.Argv)
	}
	for _, f := range []*os.File{got.Stdin, got.Stdout, got.Stderr} {
		if flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("received %s is not close-on-exec (flags %d, %v)", f.Name(), flags, err)
		}
	}
	expectCallerFiles(t, got, inW, outR, errR)
}

// expectCallerFiles checks that the files a request brought are the
// caller's: what goes into inW comes out of got.Stdin, and what goes into
// got.Stdout and got.Stderr comes out of outR and errR.
func expectCallerFiles(t *testing.T, got *Request, inW, outR, errR *os.File) {
	t.Helper()
	inW.WriteString("in")
	expectRead(t, got.Stdin, "in")
	got.Stdout.WriteString("out")
	expectRead(t, outR, "out")
	got.Stderr.WriteString("err")
	expectRead(t, errR, "err")
}

func expectRead(t *testing.T, r io.Reader, want string) {
	t.Helper()
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != want {
		t.Errorf("read %q, %v; want %q", buf, err, want)
	}
}

func TestReadRequestRejects(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	sendFds := func(c *net.UnixConn, n int) {
		for i := 0; i < n; i++ {
			if err := SendFile(c, devNull); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		send func(c *net.UnixConn)
		is   error
		err  string
	}{
		{"signalling byte", func(c *net.UnixConn) { c.Write([]byte{1}) }, nil, "signalling byte is 0x01"},
		{"gone at once", func(c *net.UnixConn) {}, ErrPeerGone, "signalling byte"},
		{"gone after the fds", func(c *net.UnixConn) { c.Write([]byte{0}); sendFds(c, 3) }, ErrPeerGone, "message length"},
		{"gone in the fds", func(c *net.UnixConn) { c.Write([]byte{0}); sendFds(c, 1) }, ErrPeerGone, "stdout"},
		{"no fd attached", func(c *net.UnixConn) { c.Write([]byte{0, 0}) }, nil, "carried 0 descriptors"},
		{"too long", func(c *net.UnixConn) {
			c.Write([]byte{0})
			sendFds(c, 3)
			c.Write(binary.BigEndian.AppendUint32(nil, MaxMessageLen+1))
		}, nil, "more than the limit"},
		{"bad message", func(c *net.UnixConn) {
			c.Write([]byte{0})
			sendFds(c, 3)
			c.Write([]byte{0, 0, 0, 2, 'A', 0})
		}, nil, "has no '='"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.CheckNoFdLeak(t)
			client, server := connPair(t)
			tt.send(client)
			client.CloseWrite()
			req, err := ReadRequest(server, false)
			if err == nil {
				req.Close()
				t.Fatal("ReadRequest succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v does not say %q", err, tt.err)
			}
		})
	}
}

package preforklib

import (
	"bytes"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"

	"luapf/internal/testutil"

	"golang.org/x/sys/unix"
)

// TestPackedRequestOverSocket: a packed request, with and without the
// working directory, sent at once or packed first (PackRequest, as a
// client does before it connects) and sent later, arrives as the request
// that was sent, each descriptor the one sent, in a single message.
func TestPackedRequestOverSocket(t *testing.T) {
	for _, tc := range []struct {
		name             string
		withCwd, prepack bool
	}{{"no cwd", false, false}, {"cwd", true, false}, {"packed first", true, true}} {
		withCwd := tc.withCwd
		t.Run(tc.name, func(t *testing.T) {
			testutil.CheckNoFdLeak(t)
			client, server := connPair(t)
			inR, inW := testutil.Pipe(t)
			outR, outW := testutil.Pipe(t)
			errR, errW := testutil.Pipe(t)
			sent := &Request{Stdin: inR, Stdout: outW, Stderr: errW, Env: []string{"A=1", "PATH=/bin"}, Argv: []string{"luapf", "s.lua", "x"},
				Ext: Extension{FeatureSignals: ""}}
			if withCwd {
				dir, err := os.Open(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				defer dir.Close()
				sent.Ext[FeatureCwd], sent.Cwd = "", dir
			}
			if tc.prepack {
				p, err := PackRequest(sent)
				if err != nil {
					t.Fatal(err)
				}
				if n, _, err := unix.Recvfrom(rawConnFd(t, server), make([]byte, 1), unix.MSG_PEEK|unix.MSG_DONTWAIT); err != unix.EAGAIN {
					t.Fatalf("PackRequest sent something: %d bytes, %v", n, err)
				}
				if err := p.Send(client); err != nil {
					t.Fatal(err)
				}
			} else if err := WritePackedRequest(client, sent); err != nil {
				t.Fatal(err)
			}
			// The whole request is there at once: one read of all that
			// is buffered sees it whole.
			var b [1]byte
			if n, _, err := unix.Recvfrom(rawConnFd(t, server), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT); n != 1 || err != nil {
				t.Fatalf("nothing buffered after WritePackedRequest: %d, %v", n, err)
			}
			got, err := ReadRequest(server, true)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			if !reflect.DeepEqual(got.Env, sent.Env) || !reflect.DeepEqual(got.Argv, sent.Argv) || !reflect.DeepEqual(got.Ext, sent.Ext) {
				t.Errorf("received env %q argv %q ext %v, sent %q %q %v", got.Env, got.Argv, got.Ext, sent.Env, sent.Argv, sent.Ext)
			}
			if (got.Cwd != nil) != withCwd {
				t.Errorf("working directory received: %v, sent: %v", got.Cwd != nil, withCwd)
			}
			expectCallerFiles(t, got, inW, outR, errR)
			// Nothing of the request is left: a signal frame after it
			// is the next byte.
			client.Write([]byte{byte(unix.SIGINT)})
			if _, err := server.Read(b[:]); err != nil || b[0] != byte(unix.SIGINT) {
				t.Errorf("the byte after the request is %d, %v; want the frame %d", b[0], err, unix.SIGINT)
			}
		})
	}
}

func rawConnFd(t *testing.T, c *net.UnixConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	fd := -1
	rc.Control(func(raw uintptr) { fd = int(raw) })
	return fd
}

// TestReadPackedRequestRejects: a packed request the server did not offer
// for, or with the wrong descriptors, is refused, and every descriptor it
// carried closed.
func TestReadPackedRequestRejects(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	msg, _ := EncodeMessage([]string{"A=1"}, []string{"luapf", "s.lua"})
	packed := func(block string) []byte {
		b := append([]byte{SignalPacked}, 0, 0, 0, byte(len(msg)))
		b = append(b, msg...)
		return append(append(b, 0, 0, 0, byte(len(block))), block...)
	}
	send := func(c *net.UnixConn, data []byte, fds int) {
		rights := make([]int, fds)
		for i := range rights {
			rights[i] = int(devNull.Fd())
		}
		var oob []byte
		if fds > 0 {
			oob = unix.UnixRights(rights...)
		}
		if _, _, err := c.WriteMsgUnix(data, oob, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		fds      int
		extended bool
		err      string
	}{
		{"not offered", packed("a=\n"), 3, false, "signalling byte is 0x03"},
		{"two descriptors", packed("a=\n"), 2, true, "carried 2 descriptors, want 3 or 4"},
		{"five descriptors", packed("a=\n"), 5, true, "carried 5 descriptors"},
		{"cwd without its descriptor", packed("cwd=\n"), 3, true, `the block says "cwd" is true, but the request carried 3`},
		{"a descriptor without cwd", packed("a=\n"), 4, true, `the block says "cwd" is false, but the request carried 4`},
		{"v1 with descriptors on its signalling byte", []byte{SignalV1}, 1, true, "signalling byte 0x00 carried 1 descriptors"},
		{"cut short", packed("a=\n")[:9], 3, true, "read request message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.CheckNoFdLeak(t)
			client, server := connPair(t)
			send(client, tc.data, tc.fds)
			client.CloseWrite()
			req, err := ReadRequest(server, tc.extended)
			if err == nil {
				req.Close()
				t.Fatal("ReadRequest accepted it")
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q does not say %q", err, tc.err)
			}
		})
	}
}

// TestWritePackedRequestLarge: a request larger than the socket's buffer
// arrives whole, its descriptors with its first part.
func TestWritePackedRequestLarge(t *testing.T) {
	testutil.CheckNoFdLeak(t)
	client, server := connPair(t)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	big := "BIG=" + strings.Repeat("x", 4<<20)
	sent := &Request{Stdin: devNull, Stdout: devNull, Stderr: devNull, Env: []string{big}, Argv: []string{"luapf", "s.lua"}, Ext: Extension{}}
	done := make(chan error, 1)
	go func() { done <- WritePackedRequest(client, sent) }()
	got, err := ReadRequest(server, true)
	if err != nil {
		t.Fatal(err)
	}
	got.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got.Env) != 1 || !bytes.Equal([]byte(got.Env[0]), []byte(big)) {
		t.Errorf("a %d-byte environment arrived as %d entries", len(big), len(got.Env))
	}
}

package preforklib

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"runtime"
	"testing"

	"luapf/internal/testutil"

	"golang.org/x/sys/unix"
)

// sendFuzzed writes data on c and then closes c's writing side. Each of the
// first eight bytes whose bit is set in fdMask carries a descriptor of
// /dev/null, as a client's three standard files do, and so does the last
// byte when fdLast is true, as the working directory that follows an
// extension block with FeatureCwd does.
func sendFuzzed(c interface {
	Write([]byte) (int, error)
	WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (int, int, error)
	CloseWrite() error
}, data []byte, fdMask uint8, fdLast bool, devNull *os.File) {
	defer c.CloseWrite()
	carries := func(i int) bool { return i < 8 && fdMask&(1<<i) != 0 || fdLast && i == len(data)-1 }
	for i := 0; i < len(data); {
		if carries(i) {
			if _, _, err := c.WriteMsgUnix(data[i:i+1], unix.UnixRights(int(devNull.Fd())), nil); err != nil {
				return
			}
			i++
			continue
		}
		j := i + 1
		for j < len(data) && !carries(j) {
			j++
		}
		if _, err := c.Write(data[i:j]); err != nil {
			return
		}
		i = j
	}
}

// FuzzReadRequest feeds ReadRequest, the server's decoder of what a client
// sends, arbitrary bytes with descriptors attached to any of the first
// eight and, if fdLast, to the last. It must never panic or leak a
// descriptor, and what it accepts must be exactly a request WriteRequest
// would send.
func FuzzReadRequest(f *testing.F) {
	var valid bytes.Buffer
	valid.WriteString("\x00\x00\x00\x00")
	msg, _ := EncodeMessage([]string{"A=1"}, []string{"luapf", "s.lua", "x"})
	valid.Write(binary.BigEndian.AppendUint32(nil, uint32(len(msg))))
	valid.Write(msg)
	f.Add(valid.Bytes(), uint8(0b1110), false, false)
	ext := append([]byte{1}, valid.Bytes()[1:]...)
	f.Add(append(ext, "\x00\x00\x00\x04a=b\n"...), uint8(0b1110), false, true)
	f.Add(append(ext, "\x00\x00\x00\x09a=b\ncwd=\n\x00"...), uint8(0b1110), true, true)
	f.Add(append(ext, "\x00\x00\x00\x05cwd=\n"...), uint8(0b1110), false, true)
	f.Add([]byte("\x00\x00\x00\x00\xff\xff\xff\xff"), uint8(0b1110), false, false)
	f.Add([]byte("GET / HTTP/1.1\r\n"), uint8(0), false, false)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		f.Fatal(err)
	}
	defer devNull.Close()
	f.Fuzz(func(t *testing.T, data []byte, fdMask uint8, fdLast, extended bool) {
		before := len(testutil.OpenFds(t))
		client, server := connPair(t)
		sent := make(chan struct{})
		go func() { sendFuzzed(client, data, fdMask, fdLast, devNull); close(sent) }()
		req, err := ReadRequest(server, extended)
		server.Close() // a writer still writing gets EPIPE
		<-sent
		client.Close()
		runtime.KeepAlive(devNull)
		if err == nil {
			defer req.Close()
			checkAccepted(t, data, fdMask, fdLast, extended, req)
			req.Close()
		}
		if after := len(testutil.OpenFds(t)); after != before {
			t.Fatalf("%d descriptors open after ReadRequest (error %v), %d before", after, err, before)
		}
	})
}

// checkAccepted fails the test unless data is a request WriteRequest could
// have sent for req (up to the values of the bytes carrying descriptors).
func checkAccepted(t *testing.T, data []byte, fdMask uint8, fdLast, extended bool, req *Request) {
	t.Helper()
	if req.Stdin == nil || req.Stdout == nil || req.Stderr == nil || fdMask&0b1110 != 0b1110 {
		t.Fatalf("accepted %q with descriptors %08b", data, fdMask)
	}
	if data[0] == SignalExtended && (!extended || req.Ext == nil) || data[0] == SignalV1 && req.Ext != nil {
		t.Fatalf("accepted signalling byte %d (extended %v) with extension %v", data[0], extended, req.Ext)
	}
	msg, err := EncodeMessage(req.Env, req.Argv)
	if err != nil {
		t.Fatalf("accepted env %q argv %q, which do not encode: %v", req.Env, req.Argv, err)
	}
	want := append([]byte{data[0], 0, 0, 0}, binary.BigEndian.AppendUint32(nil, uint32(len(msg)))...)
	want = append(want, msg...)
	if req.Ext != nil {
		block, err := req.Ext.encode()
		if err != nil {
			t.Fatalf("accepted extension %v, which does not encode: %v", req.Ext, err)
		}
		want = append(want, block...)
		if _, ok := req.Ext[FeatureCwd]; ok {
			if req.Cwd == nil || !fdLast {
				t.Fatalf("accepted %q with %q in the block but no working directory", data, FeatureCwd)
			}
			want = append(want, data[len(data)-1]) // the byte carrying it may be anything
		}
	}
	if req.Cwd != nil && (req.Ext == nil || len(data) != len(want)) {
		t.Fatalf("accepted %q with a working directory that is not the last byte after a block with %q", data, FeatureCwd)
	}
	// The bytes that carry the descriptors may be anything.
	if data[0] != want[0] || !bytes.HasPrefix(data[4:], want[4:]) {
		t.Fatalf("accepted %q as env %q argv %q ext %v, which encode as %q", data, req.Env, req.Argv, req.Ext, want)
	}
}

// TestReadRequestLengthAlone: a client that announces a message of up to
// the limit and sends little of it does not make the server allocate the
// announced size.
func TestReadRequestLengthAlone(t *testing.T) {
	client, server := connPair(t)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	data := append([]byte{0, 0, 0, 0}, binary.BigEndian.AppendUint32(nil, MaxMessageLen)...)
	go sendFuzzed(client, append(data, "A=1\x00"...), 0b1110, false, devNull)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := ReadRequest(server, false); err == nil {
		t.Fatal("ReadRequest accepted a truncated message")
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > MaxMessageLen/16 {
		t.Errorf("reading a truncated request allocated %d bytes; the announced length was %d", grew, MaxMessageLen)
	}
}

package preforklib

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"reflect"
	"runtime"
	"testing"

	"luapf/internal/testutil"

	"golang.org/x/sys/unix"
)

// sendFuzzed writes data on c and then closes c's writing side. Each of the
// first eight bytes whose bit is set in fdMask carries a descriptor of
// /dev/null, as a client's three standard files do, and so does the last
// byte when fdLast is true, as the working directory that follows an
// extension block with FeatureCwd does. The first byte carries firstFds
// descriptors instead when firstFds is not 0, as a packed request's does.
func sendFuzzed(c interface {
	Write([]byte) (int, error)
	WriteMsgUnix(b, oob []byte, addr *net.UnixAddr) (int, int, error)
	CloseWrite() error
}, data []byte, fdMask, firstFds uint8, fdLast bool, devNull *os.File) {
	defer c.CloseWrite()
	count := func(i int) int {
		switch {
		case i == 0 && firstFds > 0:
			return int(firstFds)
		case i < 8 && fdMask&(1<<i) != 0 || fdLast && i == len(data)-1:
			return 1
		}
		return 0
	}
	for i := 0; i < len(data); {
		if n := count(i); n > 0 {
			fds := make([]int, n)
			for k := range fds {
				fds[k] = int(devNull.Fd())
			}
			if _, _, err := c.WriteMsgUnix(data[i:i+1], unix.UnixRights(fds...), nil); err != nil {
				return
			}
			i++
			continue
		}
		j := i + 1
		for j < len(data) && count(j) == 0 {
			j++
		}
		if _, err := c.Write(data[i:j]); err != nil {
			return
		}
		i = j
	}
}

// FuzzReadRequest feeds ReadRequest, the decoder of what a client sends,
// arbitrary bytes with descriptors attached to any of the first eight and,
// if fdLast, to the last, or firstFds of them to the first. It must never
// panic or leak a descriptor, and what it accepts must be exactly a
// request WriteRequest or WritePackedRequest would send.
func FuzzReadRequest(f *testing.F) {
	var valid bytes.Buffer
	valid.WriteString("\x00\x00\x00\x00")
	msg, _ := EncodeMessage([]string{"A=1"}, []string{"luapf", "s.lua", "x"})
	valid.Write(binary.BigEndian.AppendUint32(nil, uint32(len(msg))))
	valid.Write(msg)
	f.Add(valid.Bytes(), uint8(0b1110), uint8(0), false, false)
	ext := append([]byte{1}, valid.Bytes()[1:]...)
	f.Add(append(ext, "\x00\x00\x00\x04a=b\n"...), uint8(0b1110), uint8(0), false, true)
	f.Add(append(ext, "\x00\x00\x00\x09a=b\ncwd=\n\x00"...), uint8(0b1110), uint8(0), true, true)
	f.Add(append(ext, "\x00\x00\x00\x05cwd=\n"...), uint8(0b1110), uint8(0), false, true)
	packed := append([]byte{SignalPacked}, valid.Bytes()[4:]...)
	f.Add(append(packed, "\x00\x00\x00\x04a=b\n"...), uint8(0), uint8(3), false, true)
	f.Add(append(packed, "\x00\x00\x00\x09a=b\ncwd=\n"...), uint8(0), uint8(4), false, true)
	f.Add([]byte("\x00\x00\x00\x00\xff\xff\xff\xff"), uint8(0b1110), uint8(0), false, false)
	f.Add([]byte("GET / HTTP/1.1\r\n"), uint8(0), uint8(0), false, false)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		f.Fatal(err)
	}
	defer devNull.Close()
	f.Fuzz(func(t *testing.T, data []byte, fdMask, firstFds uint8, fdLast, extended bool) {
		firstFds %= 8 // the receiver takes up to maxRightsPerMessage at once
		before := len(testutil.OpenFds(t))
		client, server := connPair(t)
		sent := make(chan struct{})
		go func() { sendFuzzed(client, data, fdMask, firstFds, fdLast, devNull); close(sent) }()
		req, err := ReadRequest(server, extended)
		server.Close() // a writer still writing gets EPIPE
		<-sent
		client.Close()
		runtime.KeepAlive(devNull)
		if err == nil {
			defer req.Close()
			checkAccepted(t, data, fdMask, firstFds, fdLast, extended, req)
			req.Close()
		}
		if after := len(testutil.OpenFds(t)); after != before {
			t.Fatalf("%d descriptors open after ReadRequest (error %v), %d before", after, err, before)
		}
	})
}

// checkAccepted fails the test unless data is a request WriteRequest or
// WritePackedRequest could have sent for req (up to the values of the
// bytes carrying descriptors).
func checkAccepted(t *testing.T, data []byte, fdMask, firstFds uint8, fdLast, extended bool, req *Request) {
	t.Helper()
	if data[0] == SignalPacked {
		checkAcceptedPacked(t, data, firstFds, extended, req)
		return
	}
	if firstFds > 0 || fdMask&1 != 0 {
		t.Fatalf("accepted %q with descriptors on its signalling byte %d", data, data[0])
	}
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
		want = append(want, acceptedBlock(t, data, len(want), req.Ext)...)
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
	go sendFuzzed(client, append(data, "A=1\x00"...), 0b1110, 0, false, devNull)
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

// checkAcceptedPacked is checkAccepted for a packed request: its first byte
// carried every descriptor, and data starts with exactly what
// WritePackedRequest writes. What follows is left unread: the signal
// frames that come after a request (FeatureSignals).
func checkAcceptedPacked(t *testing.T, data []byte, firstFds uint8, extended bool, req *Request) {
	t.Helper()
	if !extended || req.Ext == nil || req.Stdin == nil || req.Stdout == nil || req.Stderr == nil {
		t.Fatalf("accepted packed %q (extended %v) as %+v", data, extended, req)
	}
	_, cwd := req.Ext[FeatureCwd]
	if cwd != (req.Cwd != nil) || int(firstFds) != 3+map[bool]int{false: 0, true: 1}[cwd] {
		t.Fatalf("accepted packed %q with %d descriptors as %+v", data, firstFds, req)
	}
	msg, err := EncodeMessage(req.Env, req.Argv)
	if err != nil {
		t.Fatalf("accepted env %q argv %q, which do not encode: %v", req.Env, req.Argv, err)
	}
	want := append([]byte{SignalPacked}, binary.BigEndian.AppendUint32(nil, uint32(len(msg)))...)
	want = append(want, msg...)
	want = append(want, acceptedBlock(t, data, len(want), req.Ext)...)
	if !bytes.HasPrefix(data, want) {
		t.Fatalf("accepted packed %q as env %q argv %q ext %v, which encode as %q", data, req.Env, req.Argv, req.Ext, want)
	}
}

// acceptedBlock returns the extension block that starts at data[off:],
// failing the test unless it holds exactly ext and re-encodes (a client
// sorts its entries; the reader takes them in any order).
func acceptedBlock(t *testing.T, data []byte, off int, ext Extension) []byte {
	t.Helper()
	if _, err := ext.encode(); err != nil {
		t.Fatalf("accepted extension %v, which does not encode: %v", ext, err)
	}
	if len(data) < off+4 {
		t.Fatalf("accepted %q with extension %v but no block at %d", data, ext, off)
	}
	n := int(binary.BigEndian.Uint32(data[off:]))
	if len(data) < off+4+n {
		t.Fatalf("accepted %q with a block of %d bytes at %d that is not there", data, n, off)
	}
	got, err := DecodeExtension(data[off+4 : off+4+n])
	if err != nil || !reflect.DeepEqual(got, ext) {
		t.Fatalf("accepted %q with extension %v; its block decodes as %v, %v", data, ext, got, err)
	}
	return data[off : off+4+n]
}

package preforklib

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"
)

func TestOfferRoundTrip(t *testing.T) {
	for _, o := range []Offer{{}, {Features: []string{"signals"}}, {Features: []string{"a", "b-c"}}} {
		got, ok := ParseOffer(o.Encode())
		if !ok || !reflect.DeepEqual(got.Features, o.Features) {
			t.Errorf("%+v came back as %+v (ok %v)", o, got, ok)
		}
	}
	for _, ext := range [][]byte{nil, {}, []byte("luapf-ext 2\nsignals\n"), []byte("something else")} {
		if _, ok := ParseOffer(ext); ok {
			t.Errorf("%q taken as an offer", ext)
		}
	}
	if o := (Offer{Features: []string{"x", "y"}}); !o.Has("y") || o.Has("z") {
		t.Errorf("Has is wrong for %+v", o)
	}
}

func TestExtensionEncoding(t *testing.T) {
	for _, tc := range []struct {
		ext  Extension
		body string
	}{
		{Extension{}, ""},
		{Extension{"signals": ""}, "signals=\n"},
		{Extension{"umask": "0022", "nice": "5", "rlimit.nofile": "1024 4096"}, "nice=5\nrlimit.nofile=1024 4096\numask=0022\n"},
	} {
		block, err := tc.ext.encode()
		if err != nil {
			t.Fatalf("%v: %v", tc.ext, err)
		}
		if string(block[4:]) != tc.body {
			t.Errorf("%v encodes as %q, want %q", tc.ext, block[4:], tc.body)
		}
		back, err := readExtension(bytes.NewReader(block))
		if err != nil || !reflect.DeepEqual(back, tc.ext) {
			t.Errorf("%v came back as %v (%v)", tc.ext, back, err)
		}
	}
	for _, bad := range []Extension{{"": "x"}, {"a=b": "c"}, {"a\nb": "c"}, {"a": "multi\nline"}} {
		if _, err := bad.encode(); !errors.Is(err, ErrBadExtension) {
			t.Errorf("%q encoded: %v", bad, err)
		}
	}
	for _, body := range []string{"noequals\n", "=value\n", "a=1\na=2\n", "unterminated=1"} {
		if _, err := DecodeExtension([]byte(body)); !errors.Is(err, ErrBadExtension) {
			t.Errorf("%q decoded: %v", body, err)
		}
	}
}

// TestExtendedRequest sends an extended request over a real socket pair:
// the server accepts it only when it made an offer.
func TestExtendedRequest(t *testing.T) {
	for _, offered := range []bool{true, false} {
		client, server := connPair(t)
		req := &Request{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: []string{"A=1"}, Argv: []string{"luapf", "x.lua"},
			Ext: Extension{"umask": "0077"}}
		errc := make(chan error, 1)
		go func() { errc <- WriteRequest(client, req) }()
		got, err := ReadRequest(server, offered)
		if offered {
			if err != nil || !reflect.DeepEqual(got.Ext, req.Ext) || !reflect.DeepEqual(got.Argv, req.Argv) {
				t.Fatalf("extended request read as %+v, %v", got, err)
			}
			got.Close()
		} else if err == nil {
			t.Fatalf("a server that offered nothing accepted an extended request")
		}
		server.Close()
		<-errc
	}
}

// FuzzDecodeExtension: any body decodes or is refused, and what decodes
// encodes back to the same entries.
func FuzzDecodeExtension(f *testing.F) {
	f.Add([]byte("umask=0022\nsignals=\n"))
	f.Add([]byte("a=b=c\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := DecodeExtension(body)
		if err != nil {
			return
		}
		block, err := e.encode()
		if err != nil {
			t.Fatalf("decoded %q but cannot encode %v: %v", body, e, err)
		}
		back, err := DecodeExtension(block[4:])
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Fatalf("%v re-decoded as %v (%v)", e, back, err)
		}
	})
}

// FuzzParseOffer: any greeting data parses or is not an offer, and an
// offer round-trips.
func FuzzParseOffer(f *testing.F) {
	f.Add([]byte("luapf-ext 1\nsignals\ncontext\n"))
	f.Fuzz(func(t *testing.T, ext []byte) {
		o, ok := ParseOffer(ext)
		if !ok {
			return
		}
		back, ok := ParseOffer(o.Encode())
		if !ok || !reflect.DeepEqual(back.Features, o.Features) {
			t.Fatalf("%+v came back as %+v", o, back)
		}
	})
}

package preforklib

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strings"
)

// luapf's extensions to protocol v1.
//
// Protocol v1 leaves room to grow in one place: the greeting's extension
// data, which a v1 client is meant to read and ignore. A luapf server puts
// an Offer there, but only for a client that has said it is a luapf client:
// Debian's C client (7.0.0) reads the extension length without converting it
// from network byte order, so any non-empty extension data makes it wait
// for gigabytes that never come. A luapf client says so
//
//   - on a connection to a server's socket, by binding its end to an
//     abstract address starting with ClientMark before connecting (the
//     server sees it as the peer address; no file is made), and
//   - on the initial call of a server it starts, with the extra word
//     ClientMark in PREFORK_INTERP (v1 requires peers to ignore extra words;
//     the Perl library does).
//
// A luapf client that finds an offer answers with the signalling byte
// SignalExtended instead of 0 and, right after the v1 message, sends an
// extension block naming the features it uses, with their parameters.
// Nothing else of v1 changes, so the C client and the Perl server only ever
// see v1.
//
//	offer (greeting extension data): "luapf-ext 1\n", then one feature per line
//	block (after the v1 message):    u32 length, then "name=value\n" lines
//
// Features say what else happens on the call. A feature line is the
// feature's name, or its name, a space and parameters the server gives
// with it (Offer.Params). A luapf server offers:
//
//	signals   the client forwards its signals as frames (signals.go)
//	status    a status query is answered (status.go)
//	context   the client sends its umask, limits and nice value (callcontext.go)
//	env DIGEST NAME...
//	          the environment the initialisation read (envdeps.go)
//	cwd       the client sends its working directory (cwd.go)
//	packed    the client may send its request as one message (packed.go)

// offerMagic opens an Offer; the number is the version of this scheme.
const offerMagic = "luapf-ext 1\n"

// ClientMark identifies a luapf client: the prefix of the abstract address
// its connections are bound to, and an extra word in PREFORK_INTERP.
const ClientMark = "luapf-ext-1"

// ClientAddress returns an abstract address marking a connection as a
// luapf client's, unique to this process and connection.
func ClientAddress() string { return markedAddress("") }

// markedAddress returns the abstract address "@" + ClientMark + "/" +
// kind, then this process's pid and a random part. The random part keeps
// the connections of one process apart; it needs no secrecy (the address
// shows in /proc/net/unix), so it comes from the runtime's cheap
// generator, not crypto/rand.
func markedAddress(kind string) string {
	return fmt.Sprintf("@%s/%s%d/%016x", ClientMark, kind, os.Getpid(), rand.Uint64())
}

// IsLuapfClient reports whether the peer of an accepted connection marked
// itself as a luapf client (a server then makes its Offer).
func IsLuapfClient(peer net.Addr) bool {
	return peer != nil && strings.HasPrefix(peer.String(), "@"+ClientMark+"/")
}

// Signalling bytes, the first byte a client sends after the greeting.
const (
	// SignalV1 starts a plain protocol v1 request.
	SignalV1 byte = 0
	// SignalExtended starts a v1 request followed by an extension block;
	// a client sends it only to a server that made an Offer.
	SignalExtended byte = 1
	// SignalPacked (3) starts a packed request (packed.go), to a server
	// that offered FeaturePacked. (2 is a status query: status.go.)
	SignalPacked byte = 3
)

// MaxExtensionLen limits an extension block.
const MaxExtensionLen = 64 << 10

// Offer is what a luapf server advertises in its greeting.
type Offer struct {
	Features []string
}

// LuapfOffer is what a luapf server offers a luapf client, besides the
// environment its initialisation read (FeatureEnv). A luapf client calling
// a server of its own executable (whose ident covers that executable)
// knows it before the greeting, and sends its request at once: an early
// request, docs/protocol.md.
var LuapfOffer = Offer{Features: []string{FeatureSignals, FeatureStatus, FeatureContext, FeatureCwd, FeaturePacked}}

// HasAll reports whether o includes every feature of want.
func (o Offer) HasAll(want Offer) bool {
	for _, f := range want.Features {
		name, _, _ := strings.Cut(f, " ")
		if !o.Has(name) {
			return false
		}
	}
	return true
}

// Has reports whether the offer includes feature.
func (o Offer) Has(feature string) bool {
	_, ok := o.Params(feature)
	return ok
}

// Params returns the parameters the server gave with feature ("" when it
// gave none); ok is false when the offer does not include feature.
func (o Offer) Params(feature string) (params string, ok bool) {
	for _, f := range o.Features {
		if name, params, _ := strings.Cut(f, " "); name == feature {
			return params, true
		}
	}
	return "", false
}

// Encode returns the greeting extension data for o.
func (o Offer) Encode() []byte {
	var b strings.Builder
	b.WriteString(offerMagic)
	for _, f := range o.Features {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// ParseOffer reads a greeting's extension data; ok is false when it is not
// a luapf offer (a v1 server sends none), and then the client speaks v1.
func ParseOffer(ext []byte) (o Offer, ok bool) {
	s := string(ext)
	if !strings.HasPrefix(s, offerMagic) {
		return Offer{}, false
	}
	for _, line := range strings.Split(strings.TrimPrefix(s, offerMagic), "\n") {
		if line != "" {
			o.Features = append(o.Features, line)
		}
	}
	return o, true
}

// Extension is a client's extension block: parameters by name. A feature is
// in use when its name is present (with an empty value if it takes none).
// Names are free of '=' and newlines; values are free of newlines.
type Extension map[string]string

// encode lays out the block: its length, then the entries by name.
func (e Extension) encode() ([]byte, error) {
	names := make([]string, 0, len(e))
	for name := range e {
		names = append(names, name)
	}
	sort.Strings(names)
	var body []byte
	for _, name := range names {
		value := e[name]
		if name == "" || strings.ContainsAny(name, "=\n") || strings.Contains(value, "\n") {
			return nil, fmt.Errorf("%w: entry %q=%q", ErrBadExtension, name, value)
		}
		body = append(body, name+"="+value+"\n"...)
	}
	if len(body) > MaxExtensionLen {
		return nil, fmt.Errorf("%w: %d bytes is more than the limit of %d", ErrBadExtension, len(body), MaxExtensionLen)
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...), nil
}

// DecodeExtension parses the body of an extension block (without its
// length).
func DecodeExtension(body []byte) (Extension, error) {
	e := Extension{}
	for _, line := range strings.SplitAfter(string(body), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasSuffix(line, "\n") {
			return nil, fmt.Errorf("%w: last entry %q is not ended by a newline", ErrBadExtension, line)
		}
		name, value, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: entry %q is not name=value", ErrBadExtension, line)
		}
		if _, dup := e[name]; dup {
			return nil, fmt.Errorf("%w: %q given twice", ErrBadExtension, name)
		}
		e[name] = value
	}
	return e, nil
}

// writeExtension sends e's block after a request.
func writeExtension(w io.Writer, e Extension) error {
	block, err := e.encode()
	if err != nil {
		return err
	}
	if _, err := w.Write(block); err != nil {
		return callError("write extension block", err)
	}
	return nil
}

// readExtension reads a block after a request.
func readExtension(r io.Reader) (Extension, error) {
	n, err := readU32(r, "extension block length")
	if err != nil {
		return nil, err
	}
	if n > MaxExtensionLen {
		return nil, fmt.Errorf("%w: %d bytes is more than the limit of %d", ErrBadExtension, n, MaxExtensionLen)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, callError("read extension block", err)
	}
	return DecodeExtension(body)
}

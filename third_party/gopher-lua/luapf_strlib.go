package lua

// luapf: the string library's pattern matching and formatting as Lua 5.1's
// lstrlib.c does them, ported line by line: patterns match bytes with the C
// locale's character classes (%a is ASCII letters, é is two non-letters),
// %f frontiers, the same errors for malformed patterns, format works on
// bytes with C's printf conversions, %q quotes as Lua 5.1 does. See
// PATCHES.md, "Lua 5.1 conformance". gopher-lua's own matcher (package pm)
// is no longer used by the library.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

const (
	luaMaxCaptures = 32 // LUA_MAXCAPTURES
	capUnfinished  = -1
	capPosition    = -2
	patSpecials    = "^$*+?.([%-"
)

// C's character classes in the C locale.
func cIsAlpha(c int) bool  { return cIsUpper(c) || cIsLower(c) }
func cIsUpper(c int) bool  { return c >= 'A' && c <= 'Z' }
func cIsLower(c int) bool  { return c >= 'a' && c <= 'z' }
func cIsDigit(c int) bool  { return c >= '0' && c <= '9' }
func cIsXDigit(c int) bool { return cIsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }
func cIsSpace(c int) bool  { return c == ' ' || (c >= '\t' && c <= '\r') }
func cIsCntrl(c int) bool  { return c < 32 || c == 127 }
func cIsPunct(c int) bool  { return c > 32 && c < 127 && !cIsAlpha(c) && !cIsDigit(c) }
func cToLower(c int) int {
	if cIsUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}
func cToUpper(c int) int {
	if cIsLower(c) {
		return c - 'a' + 'A'
	}
	return c
}

type capture51 struct{ init, len int }

// matchState is lstrlib's MatchState: src is the subject, pat the pattern
// as a C string (it ends at its first NUL byte, as in Lua 5.1).
type matchState struct {
	L       *LState
	src     string
	pat     string
	level   int
	capture [luaMaxCaptures]capture51
}

func newMatchState(L *LState, src, pat string) *matchState {
	if i := strings.IndexByte(pat, 0); i >= 0 {
		pat = pat[:i]
	}
	return &matchState{L: L, src: src, pat: pat}
}

// p returns the pattern byte at i, 0 past its end (C's terminator).
func (ms *matchState) p(i int) int {
	if i < len(ms.pat) {
		return int(ms.pat[i])
	}
	return 0
}

// s returns the subject byte at i, 0 at its end (C's terminator).
func (ms *matchState) s(i int) int {
	if i < len(ms.src) {
		return int(ms.src[i])
	}
	return 0
}

func (ms *matchState) checkCapture(l int) int {
	l -= '1'
	if l < 0 || l >= ms.level || ms.capture[l].len == capUnfinished {
		ms.L.RaiseError("invalid capture index")
	}
	return l
}

func (ms *matchState) captureToClose() int {
	level := ms.level
	for level--; level >= 0; level-- {
		if ms.capture[level].len == capUnfinished {
			return level
		}
	}
	ms.L.RaiseError("invalid pattern capture")
	return 0
}

func (ms *matchState) classEnd(p int) int {
	c := ms.p(p)
	p++
	switch c {
	case '%':
		if ms.p(p) == 0 {
			ms.L.RaiseError("%s", "malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if ms.p(p) == '^' {
			p++
		}
		for {
			if ms.p(p) == 0 {
				ms.L.RaiseError("malformed pattern (missing ']')")
			}
			c := ms.p(p)
			p++
			if c == '%' && ms.p(p) != 0 {
				p++
			}
			if ms.p(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func matchClass(c, cl int) bool {
	var res bool
	switch cToLower(cl) {
	case 'a':
		res = cIsAlpha(c)
	case 'c':
		res = cIsCntrl(c)
	case 'd':
		res = cIsDigit(c)
	case 'l':
		res = cIsLower(c)
	case 'p':
		res = cIsPunct(c)
	case 's':
		res = cIsSpace(c)
	case 'u':
		res = cIsUpper(c)
	case 'w':
		res = cIsAlpha(c) || cIsDigit(c)
	case 'x':
		res = cIsXDigit(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if cIsLower(cl) {
		return res
	}
	return !res
}

// matchBracketClass: p is the '[' and ec the closing ']'.
func (ms *matchState) matchBracketClass(c, p, ec int) bool {
	sig := true
	if ms.p(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		if ms.p(p) == '%' {
			p++
			if matchClass(c, ms.p(p)) {
				return sig
			}
		} else if ms.p(p+1) == '-' && p+2 < ec {
			p += 2
			if ms.p(p-2) <= c && c <= ms.p(p) {
				return sig
			}
		} else if ms.p(p) == c {
			return sig
		}
	}
	return !sig
}

func (ms *matchState) singleMatch(c, p, ep int) bool {
	switch ms.p(p) {
	case '.':
		return true
	case '%':
		return matchClass(c, ms.p(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.p(p) == c
}

func (ms *matchState) matchBalance(s, p int) int {
	if ms.p(p) == 0 || ms.p(p+1) == 0 {
		ms.L.RaiseError("unbalanced pattern")
	}
	if s >= len(ms.src) || ms.s(s) != ms.p(p) {
		return -1
	}
	b, e, cont := ms.p(p), ms.p(p+1), 1
	for s++; s < len(ms.src); s++ {
		switch ms.s(s) {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(ms.src) && ms.singleMatch(ms.s(s+i), p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if res := ms.match(s+i, ep+1); res >= 0 {
			return res
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		if res := ms.match(s, ep+1); res >= 0 {
			return res
		} else if s < len(ms.src) && ms.singleMatch(ms.s(s), p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	level := ms.level
	if level >= luaMaxCaptures {
		ms.L.RaiseError("too many captures")
	}
	ms.capture[level] = capture51{s, what}
	ms.level = level + 1
	res := ms.match(s, p)
	if res < 0 {
		ms.level--
	}
	return res
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.capture[l].len = s - ms.capture[l].init
	res := ms.match(s, p)
	if res < 0 {
		ms.capture[l].len = capUnfinished
	}
	return res
}

func (ms *matchState) matchCapture(s, l int) int {
	l = ms.checkCapture(l)
	c := ms.capture[l]
	if len(ms.src)-s >= c.len && ms.src[c.init:c.init+c.len] == ms.src[s:s+c.len] {
		return s + c.len
	}
	return -1
}

// match returns the end of the match of the pattern from p against the
// subject from s, or -1.
func (ms *matchState) match(s, p int) int {
	for {
		switch ms.p(p) {
		case '(':
			if ms.p(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case 0:
			return s
		case '$':
			if ms.p(p+1) == 0 {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		case '%':
			switch ms.p(p + 1) {
			case 'b':
				if s = ms.matchBalance(s, p+2); s < 0 {
					return -1
				}
				p += 4
				continue
			case 'f':
				p += 2
				if ms.p(p) != '[' {
					ms.L.RaiseError("%s", "missing '[' after '%f' in pattern")
				}
				ep := ms.classEnd(p)
				previous := 0
				if s > 0 {
					previous = ms.s(s - 1)
				}
				if ms.matchBracketClass(previous, p, ep-1) || !ms.matchBracketClass(ms.s(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			default:
				if cIsDigit(ms.p(p + 1)) {
					if s = ms.matchCapture(s, ms.p(p+1)); s < 0 {
						return -1
					}
					p += 2
					continue
				}
			}
		}
		// A single-character class and its repetition.
		ep := ms.classEnd(p)
		m := s < len(ms.src) && ms.singleMatch(ms.s(s), p, ep)
		switch ms.p(ep) {
		case '?':
			if m {
				if res := ms.match(s+1, ep+1); res >= 0 {
					return res
				}
			}
			p = ep + 1
		case '*':
			return ms.maxExpand(s, p, ep)
		case '+':
			if !m {
				return -1
			}
			return ms.maxExpand(s+1, p, ep)
		case '-':
			return ms.minExpand(s, p, ep)
		default:
			if !m {
				return -1
			}
			s++
			p = ep
		}
	}
}

// captureValue is push_onecapture's value; s, e bound the whole match.
func (ms *matchState) captureValue(i, s, e int) LValue {
	if i >= ms.level {
		if i == 0 {
			return LString(ms.src[s:e])
		}
		ms.L.RaiseError("invalid capture index")
	}
	c := ms.capture[i]
	switch c.len {
	case capUnfinished:
		ms.L.RaiseError("unfinished capture")
	case capPosition:
		return LNumber(c.init + 1)
	}
	return LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures is push_captures; wholeIfNone is false for find, which
// pushes no whole match.
func (ms *matchState) pushCaptures(s, e int, wholeIfNone bool) int {
	n := ms.level
	if n == 0 && wholeIfNone {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.captureValue(i, s, e))
	}
	return n
}

// posRelat is posrelat: a negative position counts from the end.
func posRelat(pos, length int) int {
	if pos < 0 {
		pos += length + 1
	}
	if pos >= 0 {
		return pos
	}
	return 0
}

func strFindAux51(L *LState, find bool) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	init := posRelat(L.OptInt(3, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > len(s) {
		init = len(s)
	}
	cpat := p
	if i := strings.IndexByte(cpat, 0); i >= 0 {
		cpat = cpat[:i]
	}
	if find && (LVAsBool(L.Get(4)) || !strings.ContainsAny(cpat, patSpecials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(LNumber(init + i + 1))
			L.Push(LNumber(init + i + len(p)))
			return 2
		}
	} else {
		ms := newMatchState(L, s, p)
		pi, anchor := 0, ms.p(0) == '^'
		if anchor {
			pi = 1
		}
		for s1 := init; ; s1++ {
			ms.level = 0
			if res := ms.match(s1, pi); res >= 0 {
				if find {
					L.Push(LNumber(s1 + 1))
					L.Push(LNumber(res))
					return ms.pushCaptures(-1, -1, false) + 2
				}
				return ms.pushCaptures(s1, res, true)
			}
			if s1 >= len(s) || anchor {
				break
			}
		}
	}
	L.Push(LNil)
	return 1
}

func strFind51(L *LState) int  { return strFindAux51(L, true) }
func strMatch51(L *LState) int { return strFindAux51(L, false) }

func strGmatch51(L *LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	pos := 0
	L.Push(L.NewFunction(func(L *LState) int {
		ms := newMatchState(L, s, p)
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if e := ms.match(src, 0); e >= 0 {
				pos = e
				if e == src {
					pos++ // an empty match: go on at least one position
				}
				return ms.pushCaptures(src, e, true)
			}
		}
		return 0
	}))
	return 1
}

func strGsub51(L *LState) int {
	src := L.CheckString(1)
	p := L.CheckString(2)
	tr := L.Get(3).Type()
	maxS := L.OptInt(4, len(src)+1)
	if tr != LTNumber && tr != LTString && tr != LTFunction && tr != LTTable {
		L.ArgError(3, "string/function/table expected")
	}
	ms := newMatchState(L, src, p)
	pi, anchor := 0, ms.p(0) == '^'
	if anchor {
		pi = 1
	}
	var b strings.Builder
	n, s := 0, 0
scan:
	for n < maxS {
		ms.level = 0
		e := ms.match(s, pi)
		if e >= 0 {
			n++
			ms.addValue(&b, s, e)
		}
		switch {
		case e >= 0 && e > s:
			s = e
		case s < len(src):
			b.WriteByte(src[s])
			s++
		default:
			break scan
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	L.Push(LString(b.String()))
	L.Push(LNumber(n))
	return 2
}

// addValue is add_value: the replacement of the match s..e.
func (ms *matchState) addValue(b *strings.Builder, s, e int) {
	L := ms.L
	var v LValue
	switch repl := L.Get(3).(type) {
	case LString, LNumber:
		ms.addString(b, LVAsString(repl), s, e)
		return
	case *LFunction:
		L.Push(repl)
		n := ms.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.reg.Pop()
	case *LTable:
		v = L.GetTable(repl, ms.captureValue(0, s, e))
	}
	if !LVAsBool(v) {
		b.WriteString(ms.src[s:e])
	} else if !LVCanConvToString(v) {
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	} else {
		b.WriteString(LVAsString(v))
	}
}

// addString is add_s: a replacement string with %0-%9 and %%.
func (ms *matchState) addString(b *strings.Builder, news string, s, e int) {
	for i := 0; i < len(news); i++ {
		if news[i] != '%' {
			b.WriteByte(news[i])
			continue
		}
		i++
		c := byte(0) // C's terminator after a trailing %
		if i < len(news) {
			c = news[i]
		}
		switch {
		case !cIsDigit(int(c)):
			b.WriteByte(c)
		case c == '0':
			b.WriteString(ms.src[s:e])
		default:
			b.WriteString(LVAsString(ms.captureValue(int(c-'1'), s, e)))
		}
	}
}

func strUpper51(L *LState) int {
	s := []byte(L.CheckString(1))
	for i, c := range s {
		s[i] = byte(cToUpper(int(c)))
	}
	L.Push(LString(s))
	return 1
}

func strLower51(L *LState) int {
	s := []byte(L.CheckString(1))
	for i, c := range s {
		s[i] = byte(cToLower(int(c)))
	}
	L.Push(LString(s))
	return 1
}

func strSub51(L *LState) int {
	s := L.CheckString(1)
	l := len(s)
	start := posRelat(int(checkCInt64(L, 2)), l)
	end := posRelat(int(optCInt64(L, 3, -1)), l)
	if start < 1 {
		start = 1
	}
	if end > l {
		end = l
	}
	if start <= end {
		L.Push(LString(s[start-1 : end]))
	} else {
		L.Push(emptyLString)
	}
	return 1
}

func strByte51(L *LState) int {
	s := L.CheckString(1)
	l := len(s)
	posi := posRelat(int(optCInt64(L, 2, 1)), l)
	pose := posRelat(int(optCInt64(L, 3, int64(posi))), l)
	if posi <= 0 {
		posi = 1
	}
	if pose > l {
		pose = l
	}
	if posi > pose {
		return 0
	}
	n := pose - posi + 1
	if n+L.GetTop() > 8000 {
		L.RaiseError("string slice too long")
	}
	for i := 0; i < n; i++ {
		L.Push(LNumber(s[posi+i-1]))
	}
	return n
}

func strChar51(L *LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkCInt(L, i)
		if c < 0 || c > 255 {
			L.ArgError(i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(LString(b))
	return 1
}

func strRep51(L *LState) int {
	s := L.CheckString(1)
	n := int(checkCInt(L, 2))
	if n <= 0 {
		L.Push(emptyLString)
	} else {
		L.Push(LString(strings.Repeat(s, n)))
	}
	return 1
}

// checkCInt64 is luaL_checkinteger: the number truncated to 64 bits.
func checkCInt64(L *LState, n int) int64 { return int64(L.CheckNumber(n)) }

// optCInt64 is luaL_optinteger.
func optCInt64(L *LState, n int, d int64) int64 {
	if L.Get(n) == LNil {
		return d
	}
	return checkCInt64(L, n)
}

// formatQuoted is addquoted: %q as Lua 5.1 writes it.
func formatQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

const formatFlags = "-+ #0"

// cFormatSpec is one conversion of a format: flags, width, precision.
type cFormatSpec struct {
	flags     string
	width     int
	precision int // -1: none
}

func (f cFormatSpec) has(flag byte) bool { return strings.IndexByte(f.flags, flag) >= 0 }

// pad pads body to the width with spaces, or zeros after the sign and
// prefix when zeroOK and the 0 flag ask for it.
func (f cFormatSpec) pad(body string, zeroOK bool) string {
	if len(body) >= f.width {
		return body
	}
	fill := f.width - len(body)
	switch {
	case f.has('-'):
		return body + strings.Repeat(" ", fill)
	case zeroOK && f.has('0'):
		prefix := 0
		if len(body) > 0 && (body[0] == '-' || body[0] == '+' || body[0] == ' ') {
			prefix = 1
		}
		if len(body) > prefix+1 && body[prefix] == '0' && (body[prefix+1] == 'x' || body[prefix+1] == 'X') {
			prefix += 2
		}
		return body[:prefix] + strings.Repeat("0", fill) + body[prefix:]
	}
	return strings.Repeat(" ", fill) + body
}

// goVerb is the Go fmt form of the spec's flags and precision for verb.
func (f cFormatSpec) goVerb(verb byte) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, fl := range []byte("+ #") {
		if f.has(fl) {
			b.WriteByte(fl)
		}
	}
	if f.precision >= 0 {
		b.WriteString("." + strconv.Itoa(f.precision))
	}
	b.WriteByte(verb)
	return b.String()
}

// formatInt is %d/%i (signed) and %o/%u/%x/%X (unsigned) of a C long.
func (f cFormatSpec) formatInt(conv byte, v float64) string {
	var body string
	switch conv {
	case 'd', 'i':
		body = fmt.Sprintf(f.goVerb('d'), cLong(v))
	default:
		u := cUnsignedLong(v)
		verb := conv
		if conv == 'u' {
			verb = 'd'
		}
		if u == 0 && f.has('#') && (conv == 'x' || conv == 'X') {
			f.flags = strings.ReplaceAll(f.flags, "#", "") // C: no 0x for zero
		}
		body = fmt.Sprintf(cFormatSpec{flags: strings.Trim(f.flags, "+ "), precision: f.precision}.goVerb(verb), u)
	}
	// C ignores the 0 flag when a precision is given.
	return f.pad(body, f.precision < 0)
}

// formatFloat is %e/%E/%f/%g/%G as C prints a double.
func (f cFormatSpec) formatFloat(conv byte, v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		body := "inf"
		if math.IsNaN(v) {
			body = "nan"
		}
		switch {
		case math.Signbit(v):
			body = "-" + body
		case f.has('+'):
			body = "+" + body
		case f.has(' '):
			body = " " + body
		}
		if conv == 'E' || conv == 'G' {
			body = strings.ToUpper(body)
		}
		return f.pad(body, false)
	}
	if f.precision < 0 {
		f.precision = 6
	}
	if (conv == 'g' || conv == 'G') && f.precision == 0 {
		f.precision = 1
	}
	return f.pad(fmt.Sprintf(f.goVerb(conv), v), true)
}

// cLong converts as C's (long)double does on x86-64: truncation, and the
// "integer indefinite" value for what does not fit.
func cLong(v float64) int64 {
	if math.IsNaN(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(v)
}

// cUnsignedLong converts as gcc's (unsigned long)double does on x86-64.
func cUnsignedLong(v float64) uint64 {
	if v >= 9223372036854775808.0 && v < 18446744073709551616.0 {
		return uint64(v-9223372036854775808.0) ^ (1 << 63)
	}
	return uint64(cLong(v))
}

func strFormat51(L *LState) int {
	top := L.GetTop()
	arg := 1
	frmt := L.CheckString(arg)
	var b strings.Builder
	for i := 0; i < len(frmt); {
		if frmt[i] != '%' {
			b.WriteByte(frmt[i])
			i++
			continue
		}
		i++
		if i < len(frmt) && frmt[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if arg++; arg > top {
			L.ArgError(arg, "no value")
		}
		// scanformat: flags, two digits of width, two of precision.
		at := func(j int) byte {
			if j < len(frmt) {
				return frmt[j]
			}
			return 0
		}
		start := i
		for at(i) != 0 && strings.IndexByte(formatFlags, at(i)) >= 0 {
			i++
		}
		if i-start >= len(formatFlags)+1 {
			L.RaiseError("invalid format (repeated flags)")
		}
		spec := cFormatSpec{flags: frmt[start:i], precision: -1}
		for n := 0; n < 2 && cIsDigit(int(at(i))); n++ {
			spec.width = spec.width*10 + int(at(i)-'0')
			i++
		}
		if at(i) == '.' {
			i++
			spec.precision = 0
			for n := 0; n < 2 && cIsDigit(int(at(i))); n++ {
				spec.precision = spec.precision*10 + int(at(i)-'0')
				i++
			}
		}
		if cIsDigit(int(at(i))) {
			L.RaiseError("invalid format (width or precision too long)")
		}
		conv := at(i)
		i++
		switch conv {
		case 'c':
			item := spec.pad(string([]byte{byte(int32(cLong(float64(L.CheckNumber(arg)))))}), false)
			if j := strings.IndexByte(item, 0); j >= 0 {
				item = item[:j] // Lua 5.1 adds strlen(buff) bytes
			}
			b.WriteString(item)
		case 'd', 'i', 'o', 'u', 'x', 'X':
			b.WriteString(spec.formatInt(conv, float64(L.CheckNumber(arg))))
		case 'e', 'E', 'f', 'g', 'G':
			b.WriteString(spec.formatFloat(conv, float64(L.CheckNumber(arg))))
		case 'q':
			formatQuoted(&b, L.CheckString(arg))
		case 's':
			s := L.CheckString(arg)
			if spec.precision < 0 && len(s) >= 100 {
				b.WriteString(s) // too long to format: kept whole
				continue
			}
			if j := strings.IndexByte(s, 0); j >= 0 {
				s = s[:j] // sprintf stops at a NUL
			}
			if spec.precision >= 0 && len(s) > spec.precision {
				s = s[:spec.precision]
			}
			b.WriteString(spec.pad(s, false))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
	}
	L.Push(LString(b.String()))
	return 1
}

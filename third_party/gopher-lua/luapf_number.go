package lua

// luapf: numbers converted to and from strings exactly as PUC-Rio Lua 5.1
// on glibc converts them (luaO_str2d with strtod, lua_number2str with
// "%.14g", tonumber with a base through strtoul). See PATCHES.md, "Lua 5.1
// conformance".

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// isCSpace reports whether c is a space for C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// luaNumber2Str formats v as Lua 5.1 does (LUA_NUMBER_FMT "%.14g"), with
// glibc's spellings of the infinities and of not-a-number, whose sign it
// shows: 0/0 on x86 is "-nan".
func luaNumber2Str(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		if math.Signbit(v) {
			return "-nan"
		}
		return "nan"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e14 {
		if v == 0 && math.Signbit(v) {
			return "-0"
		}
		return strconv.FormatInt(int64(v), 10)
	}
	// Go's %g chooses between fixed and exponent notation as C's does and
	// drops trailing zeros, as C's %g without '#'; exponents have at least
	// two digits in both.
	return strconv.FormatFloat(v, 'g', 14, 64)
}

// luaStr2Number converts s as Lua 5.1's luaO_str2d does with glibc's
// strtod: optional spaces, a sign, then a decimal or hexadecimal number
// (hexadecimal with an optional binary exponent), "inf", "infinity" or
// "nan", then only spaces. Out-of-range values become infinities or zero.
func luaStr2Number(s string) (float64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v float64
	rest := s[i:]
	switch lower := strings.ToLower(rest); {
	case strings.HasPrefix(lower, "infinity"):
		v, i = math.Inf(1), i+len("infinity")
	case strings.HasPrefix(lower, "inf"):
		v, i = math.Inf(1), i+len("inf")
	case strings.HasPrefix(lower, "nan"):
		v, i = math.NaN(), i+len("nan")
		if j := strings.IndexByte(rest[3:], ')'); strings.HasPrefix(rest[3:], "(") && j > 0 && isNanChars(rest[4:3+j]) {
			i += j + 1
		}
	case (strings.HasPrefix(lower, "0x")) && len(rest) > 2 && (isHexDigit(rest[2]) || (rest[2] == '.' && len(rest) > 3 && isHexDigit(rest[3]))):
		n, ok := scanHexFloat(rest)
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(hexFloatForGo(rest[:n]), 64)
		if err != nil && !isRangeError(err) {
			return 0, false
		}
		v, i = f, i+n
	default:
		n := scanDecimal(rest)
		if n == 0 {
			return 0, false
		}
		f, err := strconv.ParseFloat(rest[:n], 64)
		if err != nil && !isRangeError(err) {
			return 0, false
		}
		v, i = f, i+n
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isNanChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
			return false
		}
	}
	return true
}

// scanDecimal returns the length of the longest prefix of s that strtod
// takes as a decimal number: digits, an optional fraction, and an exponent
// only when it has digits. 0 if s has no digit before the exponent.
func scanDecimal(s string) int {
	i, digits := 0, 0
	for i < len(s) && isDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

// scanHexFloat returns the length of the hexadecimal number at the start
// of s ("0x" already checked): hex digits, an optional fraction, and a
// binary exponent only when it has digits.
func scanHexFloat(s string) (int, bool) {
	i, digits := 2, 0
	for i < len(s) && isHexDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHexDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i, true
}

// hexFloatForGo gives a C hexadecimal number the binary exponent that Go's
// ParseFloat requires.
func hexFloatForGo(s string) string {
	if strings.ContainsAny(s, "pP") {
		return s
	}
	return s + "p0"
}

// luaStrToUlong converts s in base 2..36 as Lua 5.1's tonumber(s, base)
// does with strtoul: optional spaces and sign, "0x" allowed in base 16, at
// least one digit, then only spaces. An overflow gives 2^64-1, as strtoul
// does; a minus sign negates (see below).
func luaStrToUlong(s string, base int) (float64, bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && (s[i+1]|0x20) == 'x' && digitValue(s[i+2]) < 16 {
		i += 2
	}
	var n uint64
	overflow := false
	digits := 0
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		digits++
		hi, lo := bits.Mul64(n, uint64(base))
		lo, carry := bits.Add64(lo, uint64(d), 0)
		if hi != 0 || carry != 0 {
			overflow = true
		}
		n = lo
	}
	if digits == 0 {
		return 0, false
	}
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case overflow:
		return float64(math.MaxUint64), true
	case neg:
		// strtoul negates modulo 2^64, which Lua 5.1 shows as 2^64-n on
		// 64-bit machines; -n is what Lua 5.2 on and the 5.1 test suite
		// (math.lua) give, and what a script can use.
		return -float64(n), true
	}
	return float64(n), true
}

// digitValue is the value of c as a digit in bases up to 36, or 99.
func digitValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return 99
}

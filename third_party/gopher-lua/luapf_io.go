package lua

// luapf: reading and the results of failures in the io library as Lua 5.1's
// liolib.c: read takes "*n" as fscanf("%lf") does (hexadecimal, exponents,
// inf and nan; a failure is a nil result, not an error message), "*l" a
// line of any length with its carriage return, and io.open, io.lines and
// file:seek fail as fopen and fseek do, with C's words ("FILE: No such file
// or directory", the error number). See PATCHES.md, "Lua 5.1 conformance".

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
)

// readLine51 is read_line: the bytes up to a newline (not included), or
// false at the end of the file with nothing read.
func readLine51(r *bufio.Reader) (string, bool, error) {
	line, err := r.ReadString('\n')
	if err == io.EOF {
		return line, line != "", nil
	}
	if err != nil {
		return "", false, err
	}
	return line[:len(line)-1], true, nil
}

// readNumber51 is read_number: fscanf's "%lf", which skips spaces and then
// reads the longest text that can begin a number.
func readNumber51(r *bufio.Reader) (LNumber, bool, error) {
	var text []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, false, nil
			}
			return 0, false, err
		}
		if !isCSpace(c) {
			r.UnreadByte()
			break
		}
	}
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false, err
		}
		if !numberPrefix(append(text, c)) {
			r.UnreadByte()
			break
		}
		text = append(text, c)
	}
	v, ok := luaStr2Number(string(text))
	return LNumber(v), ok, nil
}

// numberPrefix reports whether s can begin a number strtod accepts.
func numberPrefix(s []byte) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := strings.ToLower(string(s[i:]))
	switch {
	case strings.HasPrefix("infinity", rest), strings.HasPrefix("nan", rest):
		return true
	case strings.HasPrefix(rest, "nan("):
		return nanTail(rest[3:])
	case strings.HasPrefix(rest, "0x"):
		return hexPrefix(rest[2:])
	}
	return decimalPrefix(rest)
}

// nanTail: "(" then letters, digits and _, up to a closing ")".
func nanTail(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] == ')' {
			return i == len(s)-1
		}
		if !isNanChars(s[i : i+1]) {
			return false
		}
	}
	return true
}

// decimalPrefix: digits, a point, digits, an exponent with a sign.
func decimalPrefix(s string) bool {
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
	if i == len(s) {
		return true
	}
	if digits == 0 || (s[i] != 'e' && s[i] != 'E') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i == len(s)
}

func hexPrefix(s string) bool {
	i, digits := 0, 0
	for i < len(s) && isHexDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHexDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if i == len(s) {
		return true
	}
	if digits == 0 || (s[i] != 'p' && s[i] != 'P') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i == len(s)
}

// fileRead51 is g_read: the formats from argument first on, a nil for the
// first that fails and none after it.
func fileRead51(L *LState, file *lFile, first int) int {
	if n := fileIsReadable(L, file); n != 0 {
		return n
	}
	errorIfFileIsClosed(L, file)
	r := file.reader
	nargs := L.GetTop() - first + 1
	var ok bool
	var err error
	n := first
	if nargs <= 0 {
		var line string
		line, ok, err = readLine51(r)
		L.Push(LString(line))
		n++
	} else {
		ok = true
		for ; nargs > 0 && ok && err == nil; nargs, n = nargs-1, n+1 {
			switch v := L.Get(n).(type) {
			case LNumber:
				if size := int(v); size == 0 {
					_, perr := r.Peek(1)
					ok = perr == nil
					L.Push(emptyLString)
				} else {
					buf := make([]byte, size)
					m, rerr := io.ReadFull(r, buf)
					if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
						err = rerr
					}
					ok = m > 0
					L.Push(LString(buf[:m]))
				}
			default:
				p := LVAsString(v)
				if !LVCanConvToString(v) || !strings.HasPrefix(p, "*") {
					L.ArgError(n, "invalid option")
				}
				switch p[1:2] {
				case "n":
					var num LNumber
					num, ok, err = readNumber51(r)
					L.Push(num)
				case "l":
					var line string
					line, ok, err = readLine51(r)
					L.Push(LString(line))
				case "a":
					data, rerr := io.ReadAll(r)
					err = rerr
					ok = true
					L.Push(LString(data))
				default:
					L.ArgError(n, "invalid format")
				}
			}
		}
	}
	if err != nil {
		return fileResult(L, err, "")
	}
	if !ok {
		L.Pop(1)
		L.Push(LNil)
	}
	return n - first
}

// openMode51 is how glibc's fopen reads a mode: r, w or a, then any of
// "+" (and flags it ignores); anything else is EINVAL.
func openMode51(mode string) (flag int, readable, writable bool, err error) {
	if mode == "" {
		return 0, false, false, syscall.EINVAL
	}
	plus := strings.Contains(mode[1:], "+")
	switch mode[0] {
	case 'r':
		flag, readable, writable = os.O_RDONLY, true, plus
	case 'w':
		flag, readable, writable = os.O_WRONLY|os.O_CREATE|os.O_TRUNC, plus, true
	case 'a':
		flag, readable, writable = os.O_WRONLY|os.O_CREATE|os.O_APPEND, plus, true
	default:
		return 0, false, false, syscall.EINVAL
	}
	if plus {
		flag = flag&^os.O_WRONLY | os.O_RDWR
	}
	return flag, readable, writable, nil
}

func ioOpenFile51(L *LState) int {
	path := L.CheckString(1)
	flag, readable, writable, err := openMode51(L.optString51(2, "r"))
	if err != nil {
		return fileResult(L, err, path)
	}
	ud, err := newFile(L, nil, path, flag, 0o666, writable, readable)
	if err != nil {
		return fileResult(L, unwrapPath51(err), path)
	}
	L.Push(ud)
	return 1
}

// unwrapPath51 drops Go's "open PATH:" from err, which fileResult words.
func unwrapPath51(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var fileSeekOptions51 = map[string]int{"set": io.SeekStart, "cur": io.SeekCurrent, "end": io.SeekEnd}

func fileSeek51(L *LState) int {
	file := checkFile(L)
	errorIfFileIsClosed(L, file)
	opt := L.optString51(2, "cur")
	whence, ok := fileSeekOptions51[opt]
	if !ok {
		L.ArgError(2, "invalid option '"+opt+"'")
	}
	offset := optCInt64(L, 3, 0)
	if file.Type() != lFileFile {
		return fileResult(L, syscall.ESPIPE, "")
	}
	if err := file.AbandonReadBuffer(); err != nil {
		return fileResult(L, err, "")
	}
	if w, ok := file.writer.(*bufio.Writer); ok {
		if err := w.Flush(); err != nil {
			return fileResult(L, err, "")
		}
	}
	pos, err := file.fp.Seek(offset, whence)
	if err != nil {
		return fileResult(L, unwrapPath51(err), "")
	}
	L.Push(LNumber(pos))
	return 1
}

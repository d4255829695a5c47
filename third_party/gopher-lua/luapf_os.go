package lua

// luapf: the os library's dates, times and file results as Lua 5.1's
// loslib.c gives them on glibc in the C locale: os.date formats each
// conversion as strftime does (all of glibc's), "*t" has yday and isdst,
// os.time normalises its table as mktime does and honours isdst, and
// os.remove and os.rename answer as C's functions do, and os.getenv gives
// "" for a variable set to the empty string (nil only when it is unset), as
// C's getenv. See PATCHES.md, "Lua 5.1 conformance".

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func osDate51(L *LState) int {
	s := L.optString51(1, "%c")
	t := time.Now()
	if L.Get(2) != LNil {
		t = time.Unix(int64(L.CheckNumber(2)), 0)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i] // a C string
	}
	utc := strings.HasPrefix(s, "!")
	if utc {
		s = s[1:]
		t = t.UTC()
	} else {
		t = t.Local()
	}
	if s == "*t" {
		tb := L.CreateTable(0, 9)
		tb.RawSetString("sec", LNumber(t.Second()))
		tb.RawSetString("min", LNumber(t.Minute()))
		tb.RawSetString("hour", LNumber(t.Hour()))
		tb.RawSetString("day", LNumber(t.Day()))
		tb.RawSetString("month", LNumber(t.Month()))
		tb.RawSetString("year", LNumber(t.Year()))
		tb.RawSetString("wday", LNumber(t.Weekday()+1))
		tb.RawSetString("yday", LNumber(t.YearDay()))
		tb.RawSetString("isdst", LBool(!utc && t.IsDST()))
		L.Push(tb)
		return 1
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		b.WriteString(strftime51(t, utc, s[i]))
	}
	L.Push(LString(b.String()))
	return 1
}

var (
	cDays   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	cMonths = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// strftime51 is glibc's strftime of "%c" (one conversion, c) in the C
// locale; utc says t came from gmtime. An unknown conversion is copied.
func strftime51(t time.Time, utc bool, c byte) string {
	d2 := func(n int) string { return fmt.Sprintf("%02d", n) }
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	yday := t.YearDay() - 1
	wday := int(t.Weekday())
	switch c {
	case 'a':
		return cDays[wday][:3]
	case 'A':
		return cDays[wday]
	case 'b', 'h':
		return cMonths[t.Month()-1][:3]
	case 'B':
		return cMonths[t.Month()-1]
	case 'c':
		return strftime51(t, utc, 'a') + " " + strftime51(t, utc, 'b') + " " + strftime51(t, utc, 'e') + " " +
			strftime51(t, utc, 'T') + " " + strconv.Itoa(t.Year())
	case 'C':
		return d2(t.Year() / 100)
	case 'd':
		return d2(t.Day())
	case 'D', 'x':
		return d2(int(t.Month())) + "/" + d2(t.Day()) + "/" + d2(t.Year()%100)
	case 'e':
		return fmt.Sprintf("%2d", t.Day())
	case 'F':
		return fmt.Sprintf("%d-%02d-%02d", t.Year(), t.Month(), t.Day())
	case 'g':
		y, _ := t.ISOWeek()
		return d2(y % 100)
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.Itoa(y)
	case 'H':
		return d2(t.Hour())
	case 'I':
		return d2(hour12)
	case 'j':
		return fmt.Sprintf("%03d", yday+1)
	case 'k':
		return fmt.Sprintf("%2d", t.Hour())
	case 'l':
		return fmt.Sprintf("%2d", hour12)
	case 'm':
		return d2(int(t.Month()))
	case 'M':
		return d2(t.Minute())
	case 'n':
		return "\n"
	case 'p':
		if t.Hour() < 12 {
			return "AM"
		}
		return "PM"
	case 'P':
		if t.Hour() < 12 {
			return "am"
		}
		return "pm"
	case 'r':
		return d2(hour12) + ":" + d2(t.Minute()) + ":" + d2(t.Second()) + " " + strftime51(t, utc, 'p')
	case 'R':
		return d2(t.Hour()) + ":" + d2(t.Minute())
	case 's':
		// glibc gives mktime of the broken-down time: for gmtime's, as if
		// it were local time.
		lt := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.Local)
		return strconv.FormatInt(lt.Unix(), 10)
	case 'S':
		return d2(t.Second())
	case 't':
		return "\t"
	case 'T', 'X':
		return d2(t.Hour()) + ":" + d2(t.Minute()) + ":" + d2(t.Second())
	case 'u':
		return strconv.Itoa((wday+6)%7 + 1)
	case 'U':
		return d2((yday + 7 - wday) / 7)
	case 'V':
		_, w := t.ISOWeek()
		return d2(w)
	case 'w':
		return strconv.Itoa(wday)
	case 'W':
		return d2((yday + 7 - (wday+6)%7) / 7)
	case 'y':
		return d2(t.Year() % 100)
	case 'Y':
		return strconv.Itoa(t.Year())
	case 'z':
		_, off := t.Zone()
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		return fmt.Sprintf("%c%02d%02d", sign, off/3600, off%3600/60)
	case 'Z':
		if utc {
			return "GMT"
		}
		name, _ := t.Zone()
		return name
	case '%':
		return "%"
	}
	return "%" + string(c)
}

// dateField is loslib's getfield: an integer field of os.time's table, or
// d when absent (d < 0: required).
func dateField(L *LState, tb *LTable, key string, d int) int {
	if n, ok := toNumber51(tb.RawGetString(key)); ok {
		return int(int32(int64(n)))
	}
	if d < 0 {
		L.RaiseError("field '%s' missing in date table", key)
	}
	return d
}

func osTime51(L *LState) int {
	if L.Get(1) == LNil {
		L.Push(LNumber(time.Now().Unix()))
		return 1
	}
	tb := L.CheckTable(1)
	sec := dateField(L, tb, "sec", 0)
	min := dateField(L, tb, "min", 0)
	hour := dateField(L, tb, "hour", 12)
	day := dateField(L, tb, "day", -1)
	month := dateField(L, tb, "month", -1)
	year := dateField(L, tb, "year", -1)
	isdst := -1
	if v := tb.RawGetString("isdst"); v != LNil {
		isdst = 0
		if LVAsBool(v) {
			isdst = 1
		}
	}
	L.Push(LNumber(mktime51(year, month, day, hour, min, sec, isdst)))
	return 1
}

// mktime51 is mktime in the local zone: fields out of range carry into the
// next, and a time said to be (isdst 1) or not be (0) in summer time is
// read in that regime even when the zone is in the other one then.
func mktime51(year, month, day, hour, min, sec, isdst int) int64 {
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.Local)
	if isdst < 0 || (isdst == 1) == t.IsDST() {
		return t.Unix()
	}
	_, actual := t.Zone()
	// The offset of the other regime, from half a year away.
	for _, months := range []int{6, -6, 3, -3, 9, -9} {
		o := t.AddDate(0, months, 0)
		if o.IsDST() == (isdst == 1) {
			_, wanted := o.Zone()
			return t.Unix() + int64(actual-wanted)
		}
	}
	// A zone without the asked regime: glibc takes summer time to be an
	// hour ahead.
	if isdst == 1 {
		return t.Unix() - 3600
	}
	return t.Unix()
}

func osDiffTime51(L *LState) int {
	t1 := int64(L.CheckNumber(1))
	t2 := int64(0)
	if L.Get(2) != LNil {
		t2 = int64(L.CheckNumber(2))
	}
	L.Push(LNumber(float64(t1 - t2)))
	return 1
}

// fileResult is loslib's os_pushresult (and liolib's pushresult): true, or
// nil, "NAME: REASON" in C's words and the error number.
func fileResult(L *LState, err error, name string) int {
	if err == nil {
		L.Push(LTrue)
		return 1
	}
	L.Push(LNil)
	if name != "" {
		L.Push(LString(name + ": " + strerror51(err)))
	} else {
		L.Push(LString(strerror51(err)))
	}
	L.Push(LNumber(errnoOf(err)))
	return 3
}

// errnoOf is the system error number of err, or 0.
func errnoOf(err error) int {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	return 0
}

func osRemove51(L *LState) int {
	name := L.CheckString(1)
	return fileResult(L, os.Remove(name), name)
}

func osRename51(L *LState) int {
	from := L.CheckString(1)
	to := L.CheckString(2)
	return fileResult(L, os.Rename(from, to), from)
}

// osSetLocale51 answers as Lua 5.1 does in a program that stays in the C
// locale, which luapf always is: the query and "C" (or "POSIX", or "")
// give "C", any other locale cannot be set.
func osSetLocale51(L *LState) int {
	switch loc := L.Get(1); {
	case loc == LNil:
		L.Push(LString("C"))
	case LVAsString(loc) == "C" || LVAsString(loc) == "POSIX" || LVAsString(loc) == "":
		L.Push(LString("C"))
	default:
		L.Push(LNil)
	}
	return 1
}

// osFuncs51 replaces osFuncs' functions (see OpenOs).
var osFuncs51 = map[string]LGFunction{
	"date":      osDate51,
	"difftime":  osDiffTime51,
	"execute":   osExecute51,
	"getenv":    osGetEnv51,
	"remove":    osRemove51,
	"rename":    osRename51,
	"setlocale": osSetLocale51,
	"time":      osTime51,
}

// osGetEnv51 is os.getenv as C's getenv: the variable's value, "" when it
// is set to the empty string, nil only when it is not set.
func osGetEnv51(L *LState) int {
	if v, ok := os.LookupEnv(L.CheckString(1)); ok {
		L.Push(LString(v))
	} else {
		L.Push(LNil)
	}
	return 1
}

// osExecute51 is os.execute as C's system(): the wait status of /bin/sh
// -c COMMAND (the exit code times 256, or the signal number), and without
// a command whether there is a shell.
func osExecute51(L *LState) int {
	if L.Get(1) == LNil {
		if _, err := os.Stat("/bin/sh"); err == nil {
			L.Push(LNumber(1))
		} else {
			L.Push(LNumber(0))
		}
		return 1
	}
	cmd := exec.Command("/bin/sh", "-c", L.CheckString(1))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var status int
	switch {
	case err == nil:
	case cmd.ProcessState != nil:
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			status = int(ws.Signal())
		} else {
			status = ws.ExitStatus() << 8
		}
	default:
		status = 127 << 8 // the shell could not run
	}
	L.Push(LNumber(status))
	return 1
}

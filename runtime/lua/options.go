package lua

import (
	"fmt"
	"log/syslog"
	"math"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Options are the server settings a script passes to
// prefork.initialisation_complete{...}. The names and defaults follow the
// Perl library Proc::Prefork::Interp, plus luapf's pool.
type Options struct {
	MaxServers      int      // max_servers: concurrent calls; negative: unlimited
	IdleTimeout     float64  // idle_timeout: seconds without calls before the server quits
	AutoreloadInc   bool     // autoreload_inc: reload when a file the initialisation read changes
	AutoreloadExtra []string // autoreload_extra: more files whose change reloads
	MaxErrors       int      // max_errors: accept errors before the server quits
	LogFacility     string   // log_facility: syslog facility
	Pool            int      // pool: executors kept restored ahead of calls
	PoolIdleTimeout float64  // pool_idle_timeout: seconds without calls before the pool's executors are let go
}

// DefaultOptions returns the settings used for options a script leaves out.
func DefaultOptions() Options {
	return Options{
		MaxServers:    4,
		IdleTimeout:   1e6,
		AutoreloadInc: true,
		MaxErrors:     100,
		LogFacility:   "daemon",
		Pool:          1,
		// An idle server's pooled executors hold a whole restored heap
		// each; after five minutes without calls the next call may pay
		// for a restore instead.
		PoolIdleTimeout: 300,
	}
}

// optionSetters parse each known option from its Lua value.
var optionSetters = map[string]func(o *Options, v lua.LValue) error{
	"max_servers":       func(o *Options, v lua.LValue) (err error) { o.MaxServers, err = intOption(v); return },
	"idle_timeout":      func(o *Options, v lua.LValue) (err error) { o.IdleTimeout, err = secondsOption(v); return },
	"pool_idle_timeout": func(o *Options, v lua.LValue) (err error) { o.PoolIdleTimeout, err = secondsOption(v); return },
	"autoreload_inc": func(o *Options, v lua.LValue) error {
		b, ok := v.(lua.LBool)
		if !ok {
			return fmt.Errorf("must be true or false, not %s", describe(v))
		}
		o.AutoreloadInc = bool(b)
		return nil
	},
	"autoreload_extra": func(o *Options, v lua.LValue) (err error) { o.AutoreloadExtra, err = stringList(v); return },
	"max_errors": func(o *Options, v lua.LValue) (err error) {
		if o.MaxErrors, err = intOption(v); err == nil && o.MaxErrors < 0 {
			err = fmt.Errorf("must not be negative")
		}
		return
	},
	"log_facility": func(o *Options, v lua.LValue) error {
		s, ok := v.(lua.LString)
		if !ok || !knownFacility(string(s)) {
			return fmt.Errorf("must be a syslog facility name such as \"daemon\" or \"local0\", not %s", describe(v))
		}
		o.LogFacility = string(s)
		return nil
	},
	"pool": func(o *Options, v lua.LValue) (err error) {
		if o.Pool, err = intOption(v); err == nil && (o.Pool < 0 || o.Pool > 64) {
			err = fmt.Errorf("must be from 0 to 64")
		}
		return
	},
}

// ParseOptions reads the options table given to initialisation_complete (nil
// or LNil: all defaults). Unknown names and wrong types are errors that say
// what is accepted.
func ParseOptions(v lua.LValue) (Options, error) {
	o := DefaultOptions()
	if v == nil || v == lua.LNil {
		return o, nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return o, fmt.Errorf("initialisation_complete takes a table of options, not %s", describe(v))
	}
	var err error
	t.ForEach(func(k, val lua.LValue) {
		if err != nil {
			return
		}
		name, isString := k.(lua.LString)
		set, known := optionSetters[string(name)]
		if !isString || !known {
			err = fmt.Errorf("unknown option %s to initialisation_complete; known options: %s", describe(k), strings.Join(optionNames(), ", "))
			return
		}
		if e := set(&o, val); e != nil {
			err = fmt.Errorf("option %s %v", name, e)
		}
	})
	return o, err
}

func optionNames() []string {
	names := make([]string, 0, len(optionSetters))
	for n := range optionSetters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// secondsOption reads a timeout: a positive number of seconds (math.huge
// for never).
func secondsOption(v lua.LValue) (float64, error) {
	n, ok := v.(lua.LNumber)
	if !ok || n <= 0 || math.IsNaN(float64(n)) {
		return 0, fmt.Errorf("must be a positive number of seconds, not %s", describe(v))
	}
	return float64(n), nil
}

// Duration returns a timeout option in seconds as a time.Duration; one too
// long for it (math.huge) is the longest there is.
func Duration(seconds float64) time.Duration {
	if seconds >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(seconds * float64(time.Second))
}

func intOption(v lua.LValue) (int, error) {
	n, ok := v.(lua.LNumber)
	if !ok || float64(n) != math.Trunc(float64(n)) || math.Abs(float64(n)) > 1<<31 {
		return 0, fmt.Errorf("must be a whole number, not %s", describe(v))
	}
	return int(n), nil
}

func stringList(v lua.LValue) ([]string, error) {
	if s, ok := v.(lua.LString); ok {
		return []string{string(s)}, nil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("must be a list of file names, not %s", describe(v))
	}
	var out []string
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("entry %d must be a file name, not %s", i, describe(t.RawGetInt(i)))
		}
		out = append(out, string(s))
	}
	return out, nil
}

// describe names a Lua value for an error message.
func describe(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(x))
	case lua.LNumber, lua.LBool:
		return x.String()
	}
	return "a " + v.Type().String()
}

var facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

func knownFacility(name string) bool {
	for _, f := range facilities {
		if f == name {
			return true
		}
	}
	return false
}

// SyslogFacility returns the syslog facility called name (log_facility);
// ok is false, and the facility daemon, for a name that is none.
func SyslogFacility(name string) (facility syslog.Priority, ok bool) {
	for i, f := range facilities {
		if f == name {
			if i < 12 {
				return syslog.Priority(i << 3), true
			}
			return syslog.LOG_LOCAL0 + syslog.Priority((i-12)<<3), true
		}
	}
	return syslog.LOG_DAEMON, false
}

package lua

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

func TestParseOptions(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	eval := func(src string) lua.LValue {
		if err := L.DoString("return " + src); err != nil {
			t.Fatal(err)
		}
		v := L.Get(-1)
		L.Pop(1)
		return v
	}
	defaults := DefaultOptions()
	cases := []struct {
		src  string
		want func(o *Options)
		err  string
	}{
		{src: "nil", want: func(o *Options) {}},
		{src: "{}", want: func(o *Options) {}},
		{src: "{ max_servers = 2, pool = 0 }", want: func(o *Options) { o.MaxServers, o.Pool = 2, 0 }},
		{src: "{ max_servers = -1 }", want: func(o *Options) { o.MaxServers = -1 }},
		{src: "{ idle_timeout = 0.5 }", want: func(o *Options) { o.IdleTimeout = 0.5 }},
		{src: "{ pool_idle_timeout = 2.5 }", want: func(o *Options) { o.PoolIdleTimeout = 2.5 }},
		{src: "{ pool_idle_timeout = math.huge }", want: func(o *Options) { o.PoolIdleTimeout = math.Inf(1) }}, // math.huge is HUGE_VAL, as in Lua 5.1
		{src: "{ autoreload_inc = false }", want: func(o *Options) { o.AutoreloadInc = false }},
		{src: `{ autoreload_extra = { "/a", "/b" } }`, want: func(o *Options) { o.AutoreloadExtra = []string{"/a", "/b"} }},
		{src: `{ autoreload_extra = "/a" }`, want: func(o *Options) { o.AutoreloadExtra = []string{"/a"} }},
		{src: `{ max_errors = 7, log_facility = "local3" }`, want: func(o *Options) { o.MaxErrors, o.LogFacility = 7, "local3" }},
		{src: "{ bogus = 1 }", err: `unknown option "bogus" to initialisation_complete; known options: autoreload_extra, autoreload_inc, idle_timeout, log_facility, max_errors, max_servers, pool, pool_idle_timeout`},
		{src: "{ 1 }", err: "unknown option 1"},
		{src: `"max_servers"`, err: "takes a table of options"},
		{src: "{ max_servers = 1.5 }", err: "option max_servers must be a whole number, not 1.5"},
		{src: `{ max_servers = "4" }`, err: `option max_servers must be a whole number, not "4"`},
		{src: "{ idle_timeout = 0 }", err: "option idle_timeout must be a positive number of seconds"},
		{src: "{ pool_idle_timeout = -1 }", err: "option pool_idle_timeout must be a positive number of seconds, not -1"},
		{src: `{ pool_idle_timeout = "300" }`, err: `option pool_idle_timeout must be a positive number of seconds, not "300"`},
		{src: "{ autoreload_inc = 1 }", err: "option autoreload_inc must be true or false"},
		{src: "{ autoreload_extra = { 1 } }", err: "option autoreload_extra entry 1 must be a file name"},
		{src: "{ max_errors = -1 }", err: "option max_errors must not be negative"},
		{src: `{ log_facility = "nope" }`, err: "option log_facility must be a syslog facility name"},
		{src: "{ pool = 65 }", err: "option pool must be from 0 to 64"},
	}
	for _, c := range cases {
		got, err := ParseOptions(eval(c.src))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.src, err, c.err)
			}
			continue
		}
		want := defaults
		c.want(&want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, %v; want %+v", c.src, got, err, want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		seconds float64
		want    time.Duration
	}{
		{0.5, 500 * time.Millisecond},
		{300, 5 * time.Minute},
		{1e6, 1e6 * time.Second},
		{1e12, math.MaxInt64},
		{math.MaxFloat64, math.MaxInt64},
		{math.Inf(1), math.MaxInt64},
	} {
		if got := Duration(c.seconds); got != c.want {
			t.Errorf("Duration(%g) = %v, want %v", c.seconds, got, c.want)
		}
	}
}

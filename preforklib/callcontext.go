package preforklib

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The caller's process context: a cold run of a script inherits its
// caller's file mode creation mask, resource limits and scheduling
// priority; a server's executor inherits those of whoever started the
// server. A luapf server offers the feature FeatureContext, and a luapf
// client that sees it sends its own in the extension block, in one entry:
//
//	context=umask=0022 nice=0 as=unlimited:unlimited core=0:unlimited ...
//
// Items are separated by single spaces: umask in octal, the nice value in
// decimal, and for each resource limit of ContextLimits its soft and hard
// values, decimal or "unlimited". The executor applies them before the
// script continues (runtime/executor). A server ignores items it does not
// know, so clients may add some. Against a server that does not offer the
// feature (the Perl library, or chiark's C client as the caller), nothing
// changes: the executor keeps what it inherited.

// FeatureContext is the offer feature, and extension entry, for the
// caller's process context.
const FeatureContext = "context"

// ContextLimit is a resource limit a call carries.
type ContextLimit struct {
	Name     string // in the extension entry
	Resource int    // unix.RLIMIT_*
}

// ContextLimits are the resource limits a call carries: those the issue of
// fidelity is about (open files, core dumps, stack and address space) and
// two more that sh's ulimit sets and that are as harmless to apply. CPU
// time is left out: an executor has spent some restoring the snapshot, and
// a lowered limit would count that against the call.
var ContextLimits = []ContextLimit{
	{"as", unix.RLIMIT_AS},
	{"core", unix.RLIMIT_CORE},
	{"data", unix.RLIMIT_DATA},
	{"fsize", unix.RLIMIT_FSIZE},
	{"nofile", unix.RLIMIT_NOFILE},
	{"stack", unix.RLIMIT_STACK},
}

// CallContext is a caller's process context.
type CallContext struct {
	Umask uint32
	Nice  int
	// Limits holds the resource limits by ContextLimits name; a limit
	// the client could not read is absent.
	Limits map[string]unix.Rlimit
}

// Encode returns the value of the FeatureContext extension entry.
func (c CallContext) Encode() string {
	items := []string{fmt.Sprintf("umask=%04o", c.Umask), "nice=" + strconv.Itoa(c.Nice)}
	for _, l := range ContextLimits {
		if lim, ok := c.Limits[l.Name]; ok {
			items = append(items, l.Name+"="+FormatLimit(lim.Cur)+":"+FormatLimit(lim.Max))
		}
	}
	return strings.Join(items, " ")
}

// RlimInfinity is the value of an unlimited resource limit.
const RlimInfinity = math.MaxUint64

// FormatLimit writes a resource limit as the extension entry (and sh's
// ulimit) does: decimal, or "unlimited".
func FormatLimit(v uint64) string {
	if v == RlimInfinity {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

func parseLimit(s string) (uint64, error) {
	if s == "unlimited" {
		return RlimInfinity, nil
	}
	if !isDecimal(s) {
		return 0, fmt.Errorf("%q is not a decimal number or \"unlimited\"", s)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == RlimInfinity {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}

// ParseCallContext parses the value of a FeatureContext extension entry.
// Items it does not know are ignored; umask and nice are required.
func ParseCallContext(value string) (CallContext, error) {
	c := CallContext{Limits: map[string]unix.Rlimit{}}
	fail := func(format string, args ...any) (CallContext, error) {
		return CallContext{}, fmt.Errorf("%w: %s", ErrBadContext, fmt.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(value, " ") {
		name, v, ok := strings.Cut(item, "=")
		if !ok || name == "" {
			return fail("item %q is not name=value", item)
		}
		if seen[name] {
			return fail("%q given twice", name)
		}
		seen[name] = true
		switch {
		case name == "umask":
			mask, err := strconv.ParseUint(v, 8, 32)
			if err != nil || mask > 0o777 || !isDecimal(v) {
				return fail("umask %q is not an octal mask", v)
			}
			c.Umask = uint32(mask)
		case name == "nice":
			n, err := strconv.Atoi(v)
			if err != nil || n < -20 || n > 19 || strconv.Itoa(n) != v {
				return fail("nice %q is not a number from -20 to 19", v)
			}
			c.Nice = n
		case slices.ContainsFunc(ContextLimits, func(l ContextLimit) bool { return l.Name == name }):
			soft, hard, ok := strings.Cut(v, ":")
			if !ok {
				return fail("limit %s=%q is not SOFT:HARD", name, v)
			}
			var lim unix.Rlimit
			var err error
			if lim.Cur, err = parseLimit(soft); err == nil {
				lim.Max, err = parseLimit(hard)
			}
			if err != nil {
				return fail("limit %s: %v", name, err)
			}
			if lim.Cur > lim.Max {
				return fail("limit %s: soft %s is above hard %s", name, soft, hard)
			}
			c.Limits[name] = lim
		}
	}
	if !seen["umask"] || !seen["nice"] {
		return fail("umask and nice are required in %q", value)
	}
	return c, nil
}

package calltrace

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// An Event is one line of a trace file.
type Event struct {
	Time   time.Time
	Pid    int
	Role   string // the process's role: client, server, executor
	Name   string // what happened (the events are listed in events.go)
	Detail string // free text, often "cpu_us=N minflt=N" (Usage)
}

// ParseEvent parses one line of a trace file, without its newline.
func ParseEvent(line string) (Event, error) {
	f := strings.SplitN(line, " ", 5)
	if len(f) < 4 {
		return Event{}, fmt.Errorf("trace line %q: want TIME PID ROLE EVENT [DETAIL]", line)
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return Event{}, fmt.Errorf("trace line %q: time: %w", line, err)
	}
	pid, err := strconv.Atoi(f[1])
	if err != nil {
		return Event{}, fmt.Errorf("trace line %q: pid: %w", line, err)
	}
	e := Event{Time: time.Unix(0, ns), Pid: pid, Role: f[2], Name: f[3]}
	if len(f) == 5 {
		e.Detail = f[4]
	}
	return e, nil
}

// ReadEvents parses every line of a trace file.
func ReadEvents(r io.Reader) ([]Event, error) {
	var events []Event
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		e, err := ParseEvent(sc.Text())
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, sc.Err()
}

// DetailInt returns the integer value of key=N in the event's detail.
func (e Event) DetailInt(key string) (int64, bool) {
	for _, kv := range strings.Fields(e.Detail) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

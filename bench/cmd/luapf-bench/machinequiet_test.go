package main

import (
	"path/filepath"
	"testing"
	"time"
)

func TestIdleLog(t *testing.T) {
	l := idleLog(filepath.Join(t.TempDir(), "idle.log"))
	if w, i, b := l.read(); w != 0 || i != 0 || b != 0 {
		t.Fatalf("empty log reads %v, %d, %d", w, i, b)
	}
	for _, e := range []struct {
		idle bool
		d    time.Duration
	}{{true, 100 * time.Millisecond}, {false, time.Second}, {true, 250 * time.Millisecond}} {
		if err := l.add(e.idle, e.d); err != nil {
			t.Fatal(err)
		}
	}
	w, i, b := l.read()
	if w < 1.349 || w > 1.351 || i != 2 || b != 1 {
		t.Errorf("log reads %v s, %d idle, %d busy; want 1.35 s, 2, 1", w, i, b)
	}
}

func TestCPUTicks(t *testing.T) {
	busy, total, err := cpuTicks()
	if err != nil {
		t.Fatal(err)
	}
	if busy <= 0 || total < busy {
		t.Errorf("cpuTicks = %v busy of %v", busy, total)
	}
}

func TestWaitIdleSpentBudget(t *testing.T) {
	l := idleLog(filepath.Join(t.TempDir(), "idle.log"))
	start := time.Now()
	if err := l.waitIdle(0); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("waitIdle with no budget waited %v", d)
	}
	if w, i, b := l.read(); w != 0 || i != 0 || b != 1 {
		t.Errorf("log reads %v s, %d idle, %d busy; want 0 s, 0, 1", w, i, b)
	}
}
